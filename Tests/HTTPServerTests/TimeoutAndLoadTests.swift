import HTTPCore
import HTTPServer
import HTTPTestSupport
import Testing
import TestSupport

@Suite(.blockingAllowed) struct TimeoutAndLoadTests {
    @Test func incompleteHeadGets408AfterTheHeaderTimeoutAndCloses() async throws {
        try await withServer({ $0.headerTimeoutMs = 300 }) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(client.readsEndOfStream())
        }
    }

    @Test func idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await withServer({ $0.idleTimeoutMs = 300 }) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(client.readsEndOfStream())
        }
    }

    @Test func fiftySlowlorisConnectionsDoNotDelayANormalRequest() async throws {
        try await withServer({ $0.headerTimeoutMs = 60_000 }) { _, port in
            var slow: [RawHTTPClient] = []
            for index in 0..<50 {
                let client = try RawHTTPClient(port: port)
                try client.send("GET /slow\(index) HTTP/1.1\r\nHost: x\r\nX-Drip: ")
                slow.append(client)
            }
            // Another byte on each: still incomplete, still holding its connection.
            for client in slow { try client.send("a") }
            let normal = try RawHTTPClient(port: port, timeoutSeconds: 2)
            try normal.send("GET /normal HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try normal.readResponse().bodyText == "GET /normal 0")
            #expect(slow.count == 50)
        }
    }

    @Test func fiveHundredConcurrentConnectionsWithFiveRequestsEachAreAllAnswered() async throws {
        raiseFileDescriptorLimit()
        // Deadlines far away: the first connection waits for all 500 to connect before its
        // first byte, which under ThreadSanitizer on a loaded machine outlasted the 10 s
        // header timeout (the server closed it and the next send met a reset).
        try await withServer({ $0.headerTimeoutMs = 120_000; $0.idleTimeoutMs = 120_000 }) { server, port in
            let clients = try (0..<500).map { _ in try RawHTTPClient(port: port) }
            for round in 0..<5 {
                for (index, client) in clients.enumerated() {
                    try client.send("GET /c\(index)/r\(round) HTTP/1.1\r\nHost: x\r\n\r\n")
                }
            }
            var answered = 0
            for (index, client) in clients.enumerated() {
                for round in 0..<5 {
                    let response = try client.readResponse()
                    if response.status == 200 && response.bodyText == "GET /c\(index)/r\(round) 0" { answered += 1 }
                }
            }
            #expect(answered == 2500)
            #expect(server.openConnections == 500)
        }
    }

    @Test func gracefulShutdownLetsTheInFlightRequestFinish() async throws {
        let entered = TestGate()
        let release = TestGate()
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoops: 2)
        let server = HTTPServer(configuration: configuration, handler: EchoHandler(entered: entered, release: release))
        let port = try server.start()
        let busy = try RawHTTPClient(port: port)
        let idle = try RawHTTPClient(port: port)
        try idle.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        try busy.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        await entered.wait()

        // Begun synchronously: the blocking reads below hold this test's thread, and on a
        // two-core machine a Task might wait for a free thread of the cooperative pool.
        server.beginShutdown(grace: .seconds(10))
        // The idle keep-alive connection is closed at once; the busy one is not.
        #expect(idle.readsEndOfStream())
        release.open()
        let response = try busy.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyText == "GET /hold 0")
        #expect(response.header("Connection") == "close")
        await server.shutdown(grace: .seconds(10))
        #expect(server.openConnections == 0)
        // Nothing listens any more.
        #expect(throws: (any Error).self) { _ = try RawHTTPClient(port: port) }
    }
}
