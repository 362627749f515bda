import Crypto
import Foundation
import HTTPCore
import HTTPServer
import Postgres

/// The whole application built from a typed configuration, not yet serving. `serve`, the
/// tests and the benchmarks all build it the same way; only who calls `start` differs.
public final class Application: Sendable {
    public let configuration: AppConfiguration
    public let logger: Logger
    public let lifecycle: Lifecycle
    public let router: Router
    /// The connection pool. Connections open lazily, so the server starts (and `/ready`
    /// says 503) while the database is down, and recovers when it comes back.
    public let database: PostgresPool
    /// scrypt runs on these threads, never on an event loop (ADR 0001).
    let passwordHashing: PasswordHashingPool
    /// The middleware links, outermost first (see `chain`).
    let middleware: MiddlewareChain
    let domains: Domains
    /// The background workers (ADR 0008): with the server unless `WORKERS_ENABLED=false`,
    /// alone under `storefront worker`.
    let workers: JobWorker
    /// 429s by policy, for `/metrics`.
    public let rateLimitRejections = RateLimitRejections()
    /// `/metrics`, and the counters the links record into.
    let metrics: MetricsController
    private let server: HTTPServer

    /// - Parameter extraReadinessChecks: checks beyond the database's (tests add their own).
    /// - Parameter passwordHasher: the scrypt cost of new hashes; tests pass a cheap one.
    /// - Parameter rateLimitClock: the limiter's time; tests step it by hand.
    /// - Parameter statementObserver: sees every statement the domains run; tests count them.
    public init(configuration: AppConfiguration, logger: Logger, extraReadinessChecks: [any ReadinessCheck] = [],
                openAPIDocument: [UInt8]? = Application.loadOpenAPIDocument(),
                passwordHasher: PasswordHasher = PasswordHasher(),
                rateLimitClock: any RateLimitClock = MonotonicClock(), pipeline: Pipeline = .full,
                statementObserver: StatementObserver? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        let lifecycle = Lifecycle()
        self.lifecycle = lifecycle
        let database = try PostgresPool(configuration: configuration.postgresConfiguration)
        self.database = database
        let checks: [any ReadinessCheck] = [DatabaseReadiness(pool: database),
                                            MigrationReadiness(migrator: configuration.migrator(pool: database))]
            + extraReadinessChecks
        var router = Router()
        OperationalController(lifecycle: lifecycle, checks: checks, openAPIDocument: openAPIDocument)
            .register(in: &router)
        let passwordHashing = PasswordHashingPool(hasher: passwordHasher)
        self.passwordHashing = passwordHashing
        let domains = try Domains(database: Database(pool: database, observer: statementObserver), configuration: configuration,
                                  hashing: passwordHashing, logger: logger)
        domains.register(in: &router)
        self.domains = domains
        // Last, so the metrics know every route template.
        let requestMetrics = RequestMetrics(templates: router.routes.map(\.template) + [MetricsController.path])
        let workers = JobWorker(queue: domains.jobs, handlers: domains.jobHandlers, periodic: domains.periodicJobs,
                                tuning: JobWorker.Tuning(concurrency: configuration.workerConcurrency), logger: logger)
        self.workers = workers
        metrics = try MetricsController(requests: requestMetrics, rateLimits: rateLimitRejections, pool: database,
                                        hashing: passwordHashing, workers: workers,
                                        webhookLatency: domains.webhooks.latency,
                                        webhookCircuits: { [service = domains.webhooks.service] in try await service.circuits() },
                                        token: configuration.metricsToken)
        metrics.register(in: &router)
        self.router = router
        let requestIDs = RequestIDGenerator()
        let rateLimit = configuration.rateLimitEnabled ? RateLimitMiddleware(
            store: GCRALimiter(capacity: configuration.rateLimitMaxBuckets, clock: rateLimitClock),
            quotas: configuration.rateLimitQuotas, rejections: rateLimitRejections,
            identify: domains.authMiddleware.identify) : nil
        middleware = pipeline == .bareRouter ? MiddlewareChain(links: [], routes: router.routes)
            : Application.chain(routes: router.routes, logger: logger, requestIDs: requestIDs,
                                cors: CORSPolicy(origins: configuration.corsOrigins).map(CORSMiddleware.init),
                                rateLimit: rateLimit, auth: domains.authMiddleware,
                                idempotency: domains.idempotencyMiddleware, metrics: requestMetrics)
        let handler = AppHandler(router: router, chain: middleware,
                                 clientAddress: ClientAddress(trustedProxies: configuration.trustedProxies),
                                 requestIDs: requestIDs, logger: logger, metrics: requestMetrics)
        server = HTTPServer(configuration: configuration.serverConfiguration, handler: handler,
                            logger: ServerLogAdapter(logger: logger))
        metrics.attach(server)
    }

    /// What requests go through: everything, or (for `scripts/bench chain`, to measure what
    /// the links cost) the router and the route's handler alone.
    public enum Pipeline: Sendable { case full, bareRouter }

    /// The middleware order, outermost first; `MiddlewareChainTests` pins it. Trace context
    /// right inside the request id so the access line carries both; compression inside the
    /// access log (it logs the bytes sent) and outside the error link (large error bodies are
    /// compressed too). CORS sits outside the error link so error answers get its fields, and
    /// answers preflights before anything costly. The rate limiter sits inside the error link
    /// (its 429 gets the envelope) and before auth, so bad credentials are limited per IP
    /// (ADR 0004). Auth sits before content negotiation so an unauthenticated caller learns
    /// nothing about what a route accepts. Idempotency is innermost: it needs the caller, and
    /// only requests that reach a handler are stored. Links that configuration turns off are
    /// left out.
    static func chain(routes: [Route], logger: Logger, requestIDs: RequestIDGenerator, cors: CORSMiddleware?,
                      rateLimit: RateLimitMiddleware?, auth: AuthMiddleware,
                      idempotency: IdempotencyMiddleware, metrics: RequestMetrics) -> MiddlewareChain {
        let links: [(any Middleware)?] = [
            RequestIDMiddleware(generator: requestIDs),
            TraceContextMiddleware(ids: TraceIDSource()),
            AccessLogMiddleware(logger: logger, metrics: metrics, routes: routes),
            SecurityHeadersMiddleware(),
            CompressionMiddleware(),
            cors,
            ErrorMiddleware(logger: logger),
            rateLimit,
            auth,
            ContentNegotiationMiddleware(),
            idempotency,
        ]
        return MiddlewareChain(links: links.compactMap { $0 }, routes: routes)
    }

    /// Binds and starts serving; returns the port (the kernel's choice when PORT=0).
    @discardableResult
    public func start() throws -> Int {
        let port = try server.start()
        // Statements from handlers then run on their own loop's connections (ADR 0010).
        database.attach(loops: server.ioLoops)
        if configuration.workersEnabled { workers.start() }
        logger.info("listening", ["host": .string(configuration.host), "port": .int(port),
                                  "event_loops": .int(configuration.eventLoops)])
        return port
    }

    /// `storefront worker`: the workers alone, no listener.
    public func startWorkers() {
        workers.start()
    }

    /// Seals TOTP secrets still stored in the clear from before migration 0010 (ADR 0006);
    /// returns how many accounts it sealed.
    public func sealLegacySecrets() async throws -> Int {
        try await domains.totp.service.sealLegacySecrets()
    }

    public var port: Int { server.port }
    public var openConnections: Int { server.openConnections }

    /// SIGTERM: `/ready` turns 503, the listener closes and the workers stop claiming;
    /// in-flight requests and running jobs share the same `SHUTDOWN_GRACE_S` to finish (jobs
    /// still running then are released to the queue), then everything closes.
    public func shutdown() async {
        lifecycle.beginDraining()
        logger.info("draining", ["grace_s": .int(configuration.shutdownGraceSeconds)])
        let grace = Duration.seconds(configuration.shutdownGraceSeconds)
        async let serverStopped: Void = server.shutdown(grace: grace)
        async let workersStopped: Void = workers.shutdown(grace: grace)
        _ = await (serverStopped, workersStopped)
        await database.shutdown()
        passwordHashing.shutDown()
        domains.webhooks.client.shutDown()
        logger.info("stopped")
    }

    /// `openapi.yaml` from the working directory or beside the executable (the Docker image
    /// keeps it in /app).
    public static func loadOpenAPIDocument() -> [UInt8]? {
        var candidates = ["openapi.yaml"]
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        candidates.append(executable.appendingPathComponent("openapi.yaml").path)
        for path in candidates {
            if let data = FileManager.default.contents(atPath: path) { return Array(data) }
        }
        return nil
    }
}

extension AppConfiguration {
    var serverConfiguration: HTTPServerConfiguration {
        HTTPServerConfiguration(host: host, port: port, eventLoops: eventLoops, maxBodyBytes: maxBodyBytes,
                                headerTimeoutMs: headerTimeoutMs, idleTimeoutMs: idleTimeoutMs,
                                bodyTimeoutMs: bodyTimeoutMs, writeTimeoutMs: writeTimeoutMs)
    }
}

/// Puts the server's own events in the application's log.
struct ServerLogAdapter: HTTPServerLogger {
    let logger: Logger
    func serverEvent(_ level: HTTPServerLogLevel, _ message: String, _ metadata: [String: String]) {
        let mapped: LogLevel = switch level {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
        logger.log(mapped, message, metadata.mapValues { .string($0) })
    }
}
