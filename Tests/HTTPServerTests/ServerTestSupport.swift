import HTTPCore
import HTTPServer
import HTTPTestSupport

/// Answers `METHOD TARGET BODYLENGTH`, or holds `/hold` until the gate opens.
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
                _ body: (HTTPServer, Int) async throws -> Void) async throws {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoops: 2, maxBodyBytes: 1024)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, handler: handler)
    let port = try server.start()
    do {
        try await body(server, port)
    } catch {
        await server.shutdown(grace: .milliseconds(0))
        throw error
    }
    await server.shutdown(grace: .milliseconds(0))
}
