import HTTPCore
@testable import HTTPServer
import HTTPTestSupport
import Testing
import TestSupport

/// A handler that is an object, so a test can tell when the server has let go of it.
private final class TrackedHandler: HTTPRequestHandler {
    func handle(_ request: HTTPRequest) async throws -> HTTPResponse { HTTPResponse(status: .ok) }
}

@Suite(.blockingAllowed) struct ServerLifetimeTests {
    /// The loops and the core hold each other, and an application's handler leads back to
    /// the loops (its pool's shards run on them). Dropping the stopped server must free the
    /// handler, or every stopped application stays in memory.
    @Test func aStoppedServerLetsGoOfItsHandlerWhenDropped() async throws {
        weak var tracked: TrackedHandler?
        do {
            let handler = TrackedHandler()
            tracked = handler
            let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoops: 2,
                                                                           maxBodyBytes: 1024),
                                    handler: handler)
            let port = try server.start()
            let client = try RawHTTPClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            await server.shutdown(grace: .zero)
        }
        #expect(tracked == nil)
    }

    /// A server dropped while it runs keeps serving: its loops keep it, and its handler
    /// (a stopped core's stand-in would answer 503). No weak reference here: the handler
    /// lives until the process exits, and LeakSanitizer reads a live object's weak-reference
    /// side table as leaked.
    @Test func aRunningServerKeepsItsHandlerWhenDropped() async throws {
        var port = 0
        do {
            let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoops: 1,
                                                                           maxBodyBytes: 1024),
                                    handler: TrackedHandler())
            port = try server.start()
        }
        let client = try RawHTTPClient(port: port)
        try client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().status == 200)
    }
}
