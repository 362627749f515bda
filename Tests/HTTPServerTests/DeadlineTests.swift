import HTTPCore
@testable import HTTPServer
import HTTPTestSupport
import Testing
import TestSupport

/// Deadlines that bound how long a client can hold a connection and its buffers: the whole
/// body (`bodyTimeoutMs`) and the draining of queued output (`writeTimeoutMs`). The gap
/// timeout is set far away so only the deadline under test can fire.
@Suite(.blockingAllowed) struct DeadlineTests {
    @Test(arguments: [
        "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab",
        "POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        "POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=",
    ])
    func bodyNotCompleteWithinTheBodyTimeoutIs408AndCloses(raw: String) async throws {
        try await withServer({ $0.bodyTimeoutMs = 300; $0.headerTimeoutMs = 60_000 }) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(raw)
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(response.header("Connection") == "close")
            #expect(client.readsEndOfStream())
        }
    }

    @Test func aBodyThatTricklesInIsStillCutOffAtTheDeadline() async throws {
        try await withServer({ $0.bodyTimeoutMs = 300; $0.headerTimeoutMs = 60_000 }) { server, port in
            let client = try connectedClient(port: port)
            try client.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
            // Each byte is progress, which resets the gap timer but not the whole-body deadline.
            let sendFailed = { (try? client.send("a")) == nil }
            #expect(await eventually(within: .seconds(30)) { sendFailed() || server.openConnections == 0 })
            #expect(try client.readResponse().status == 408)
        }
    }

    @Test func aClientThatNeverReadsIsDisconnectedAfterTheWriteTimeout() async throws {
        try await withServer({ $0.writeTimeoutMs = 300; $0.idleTimeoutMs = 600_000 }) { server, port in
            let client = try connectedClient(port: port, receiveBufferBytes: 4096)
            try client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await eventually(within: .seconds(30)) { server.openConnections == 0 })
        }
    }

    /// The finding: a partial pipelined head times out while a response is stuck, the 408 is
    /// queued behind it, and the connection sat in `.processing` with no timer for ever.
    @Test func a408QueuedBehindAStuckResponseDoesNotPinTheConnection() async throws {
        try await withServer({ $0.writeTimeoutMs = 400; $0.headerTimeoutMs = 200; $0.idleTimeoutMs = 600_000 }) { server, port in
            let client = try connectedClient(port: port, receiveBufferBytes: 4096)
            try client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n")
            #expect(await eventually(within: .seconds(30)) { server.openConnections == 0 })
        }
    }

    /// Reading stops while a response waits, so pipelined requests cannot pile up output:
    /// what a connection queues is bounded by one response, not by what the client sends.
    @Test func queuedOutputIsBoundedByOneResponseWhateverTheClientPipelines() async throws {
        // Every deadline far away: on a starved machine the first look at the server may
        // come late, and a deadline passing first would close the connection under test.
        try await withServer({ $0.writeTimeoutMs = 600_000; $0.idleTimeoutMs = 600_000; $0.headerTimeoutMs = 600_000 }) { server, port in
            let client = try RawHTTPClient(port: port, receiveBufferBytes: 4096)
            try client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n" + String(repeating: "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", count: 100))
            #expect(await eventually(within: .seconds(120)) { await hasQueuedOutput(server) })
            for snapshot in await server.connectionSnapshots() { #expect(snapshot.queuedOutputBytes <= (16 << 20) + 1024) }
        }
    }
}

/// True once a connection has response bytes the client has not read.
func hasQueuedOutput(_ server: HTTPServer) async -> Bool {
    await server.connectionSnapshots().contains { $0.queuedOutputBytes > 0 }
}

/// A client whose connection the server has certainly accepted (one request answered), so
/// "no open connections" afterwards can only mean the server closed it. Waiting for a
/// passing state instead would race the deadline when blocking tests hold the pool.
func connectedClient(port: Int, receiveBufferBytes: Int32? = nil) throws -> RawHTTPClient {
    let client = try RawHTTPClient(port: port, receiveBufferBytes: receiveBufferBytes)
    try client.send("GET /warm-up HTTP/1.1\r\nHost: x\r\n\r\n")
    _ = try client.readResponse()
    return client
}
