import Locking
import HTTPCore
@testable import HTTPServer
import HTTPTestSupport
import Synchronization

/// Answers `METHOD TARGET BODYLENGTH`, or holds `/hold` until the gate opens; `/big`
/// answers 16 MiB, more than loopback socket buffers hold, for clients that stop reading.
struct EchoHandler: HTTPRequestHandler {
    let entered: TestGate
    let release: TestGate

    init(entered: TestGate = TestGate(), release: TestGate = TestGate()) {
        self.entered = entered
        self.release = release
    }

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.head.path == "/hold" {
            entered.open()
            await release.wait()
        }
        let text = "\(request.head.method.rawValue) \(request.head.target) \(request.body.count)"
        var headers = HTTPHeaders([("Content-Type", "text/plain")])
        if request.head.path == "/big" {
            return HTTPResponse(status: .ok, headers: headers, body: [UInt8](repeating: UInt8(ascii: "b"), count: 16 << 20))
        }
        if request.head.path == "/body" {
            return HTTPResponse(status: .ok, headers: headers, body: request.body)
        }
        headers.add("X-Body-Bytes", String(request.body.count))
        return HTTPResponse(status: .ok, headers: headers, body: Array(text.utf8))
    }
}

/// Starts a server on an ephemeral loopback port and stops it after `body`.
func withServer(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
                handler: EchoHandler = EchoHandler(),
                logger: (any HTTPServerLogger)? = nil,
                acceptCall: AcceptCall? = nil,
                _ body: (HTTPServer, Int) async throws -> Void) async throws {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoops: 2, maxBodyBytes: 1024)
    configure(&configuration)
    let server = if let acceptCall {
        HTTPServer(configuration: configuration, handler: handler, logger: logger, acceptCall: acceptCall)
    } else {
        HTTPServer(configuration: configuration, handler: handler, logger: logger)
    }
    let port = try server.start()
    do {
        try await body(server, port)
    } catch {
        await server.shutdown(grace: .milliseconds(0))
        throw error
    }
    await server.shutdown(grace: .milliseconds(0))
}

/// Keeps the server's log lines so tests can count them.
final class CapturingServerLogger: HTTPServerLogger {
    private let lines = Locked<[String]>([])
    func serverEvent(_ level: HTTPServerLogLevel, _ message: String, _ metadata: [String: String]) {
        lines.withLock { $0.append("\(level.rawValue) \(message)") }
    }
    func count(_ prefix: String) -> Int { lines.withLock { $0.filter { $0.hasPrefix(prefix) }.count } }
}
