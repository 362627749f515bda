import Crypto
import HTTPCore
import HTTPServer
import Locking
import Postgres

/// `GET /metrics` (API.md, Operational endpoints): Prometheus text, behind
/// `Authorization: Bearer <METRICS_TOKEN>` when that variable is set.
final class MetricsController: Sendable {
    static let path = "/metrics"

    let requests: RequestMetrics
    let rateLimits: any RateLimitRejectionCounts
    let pool: PostgresPool
    let hashing: PasswordHashingPool
    /// The queue's figures (one query per scrape) and this process's attempt counts.
    let workers: JobWorker
    /// Delivery latency (this process) and the endpoints' circuits (one query per scrape).
    let webhookLatency: WebhookLatency
    let webhookCircuits: @Sendable () async throws -> [EndpointCircuit]
    /// SHA-256 of the token: comparing digests takes the same time whatever the length
    /// and content of a guess.
    private let tokenDigest: [UInt8]?
    /// Fixed for the life of the process, so read once.
    let startTimeSeconds: Double?
    /// The server is built after the routes (its handler needs them), so it arrives later.
    /// Weak: the server's handler leads back here (the `/metrics` route), and a strong
    /// reference kept every stopped server, and its application, alive for ever.
    private let server = Locked(AttachedServer())

    private struct AttachedServer {
        weak var server: HTTPServer?
    }

    init(requests: RequestMetrics, rateLimits: any RateLimitRejectionCounts, pool: PostgresPool,
         hashing: PasswordHashingPool, workers: JobWorker, webhookLatency: WebhookLatency,
         webhookCircuits: @escaping @Sendable () async throws -> [EndpointCircuit], token: Secret?) throws(CryptoError) {
        self.requests = requests
        self.rateLimits = rateLimits
        self.pool = pool
        self.hashing = hashing
        self.workers = workers
        self.webhookLatency = webhookLatency
        self.webhookCircuits = webhookCircuits
        tokenDigest = try token.map { token throws(CryptoError) in try SHA256.hash(token.value) }
        startTimeSeconds = ProcessFigures.startTimeSeconds()
    }

    func attach(_ server: HTTPServer) { self.server.withLock { $0.server = server } }

    var serverFigures: (inFlight: Int, openConnections: Int)? {
        server.withLock { attached in attached.server.map { ($0.inFlightRequests, $0.openConnections) } }
    }

    func register(in router: inout Router) {
        router.add(.get, MetricsController.path, access: .metricsToken) { request, _ in try await self.scrape(request) }
    }

    func scrape(_ request: Request) async throws -> HTTPResponse {
        try authorize(request)
        // Nil while the database is away: the queue's families are left out, the rest stays.
        let jobs = try? await workers.queue.figures()
        let circuits = try? await webhookCircuits()
        return HTTPResponse(status: .ok,
                            headers: HTTPHeaders([("Content-Type", PrometheusText.contentType),
                                                  ("Cache-Control", "no-store")]),
                            body: Array(exposition(jobs: jobs, circuits: circuits).utf8))
    }

    private func authorize(_ request: Request) throws {
        guard let tokenDigest else { return }
        let token = request.headers["Authorization"].flatMap(AuthMiddleware.bearerToken)
        guard let token, constantTimeEquals(try SHA256.hash(token), tokenDigest) else {
            throw AppError(.unauthorized, "A valid metrics token is required")
        }
    }
}
