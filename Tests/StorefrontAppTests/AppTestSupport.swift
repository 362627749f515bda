import Crypto
import Foundation
import HTTPTestSupport
import TestSupport
@testable import StorefrontApp

/// The real application on an ephemeral loopback port with its log captured in memory.
struct RunningApp {
    let application: Application
    let port: Int
    let logs: MemoryLogSink

    /// Rate limiting is off unless a test turns it on: suites log in and register from
    /// 127.0.0.1 far more often than the `auth` budget allows. The workers are off unless a
    /// test turns them on, so no suite's database sees background statements it did not ask for.
    static func start(environment: [String: String] = [:], readinessChecks: [any ReadinessCheck] = [],
                      rateLimitClock: any RateLimitClock = MonotonicClock(),
                      statementObserver: StatementObserver? = nil) throws -> RunningApp {
        var env = ["HOST": "127.0.0.1", "PORT": "0", "EVENT_LOOPS": "2", "SHUTDOWN_GRACE_S": "0",
                   "RATE_LIMIT_ENABLED": "false", "WORKERS_ENABLED": "false"]
        env.merge(environment) { _, new in new }
        let configuration = try AppConfiguration.fromEnvironment(env, cores: 2)
        let logs = MemoryLogSink()
        let application = try Application(configuration: configuration,
                                          logger: Logger(sink: logs, minimumLevel: .debug),
                                          extraReadinessChecks: readinessChecks,
                                      openAPIDocument: Array("openapi: 3.1.0\n".utf8),
                                          passwordHasher: RunningApp.cheapHasher, rateLimitClock: rateLimitClock,
                                          statementObserver: statementObserver)
        let port = try application.start()
        return RunningApp(application: application, port: port, logs: logs)
    }

    func stop() async { await application.shutdown() }

    /// scrypt at N = 2^4: the same code paths as production at a thousandth of the cost,
    /// so suites that register and log in stay fast.
    static let cheapHasher: PasswordHasher = {
        do { return try PasswordHasher(parameters: Scrypt.Parameters(logN: 4, r: 8, p: 1)) } catch {
            preconditionFailure("logN 4 is within PasswordHasher's bounds: \(error)")
        }
    }()

    /// One exchange on a new connection. The socket I/O blocks, so it runs on a thread of
    /// its own: blocking inside an async test would hold one of the cooperative pool's few
    /// threads, and on a loaded machine parallel suites then starve each other's tasks (an
    /// `eventually` that never gets to poll). Not on Dispatch's global queue either: its
    /// threads grow slowly on Linux when all of them block, and requests queued behind
    /// each other there took a minute under ThreadSanitizer.
    func request(_ raw: String, timeoutSeconds: Int = 10) async throws -> RawHTTPClient.Response {
        let port = port
        return try await withBlockingAllowed {
            let client = try RawHTTPClient(port: port, timeoutSeconds: timeoutSeconds)
            try client.send(raw)
            return try client.readResponse(headRequest: raw.hasPrefix("HEAD "))
        }
    }

    func get(_ path: String, headers: String = "") async throws -> RawHTTPClient.Response {
        try await request("GET \(path) HTTP/1.1\r\nHost: test\r\n\(headers)\r\n")
    }

    /// Parses a JSON body into Foundation values for assertions.
    static func json(_ response: RawHTTPClient.Response) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }
}

/// Runs `body` against a started app and always stops it.
func withApp(environment: [String: String] = [:], readinessChecks: [any ReadinessCheck] = [],
             rateLimitClock: any RateLimitClock = MonotonicClock(),
             _ body: (RunningApp) async throws -> Void) async throws {
    let app = try RunningApp.start(environment: environment, readinessChecks: readinessChecks,
                                   rateLimitClock: rateLimitClock)
    do {
        try await body(app)
    } catch {
        await app.stop()
        throw error
    }
    await app.stop()
}
