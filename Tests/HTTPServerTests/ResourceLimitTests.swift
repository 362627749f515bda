import Glibc
import HTTPCore
@testable import HTTPServer
import HTTPTestSupport
import Synchronization
import Testing
import TestSupport

/// `accept` that reports EMFILE while `exhausted` is set, leaving the connection queued so
/// the listener stays readable: the condition that made the loop spin.
final class ExhaustibleAccept: Sendable {
    let exhausted = Atomic<Bool>(false)
    let attemptsWhileExhausted = Atomic<Int>(0)

    var call: AcceptCall {
        { [self] listenFD, address, length in
            if exhausted.load(ordering: .acquiring) {
                attemptsWhileExhausted.wrappingAdd(1, ordering: .relaxed)
                return -EMFILE
            }
            return Sys.accept(listenFD, address, length)
        }
    }
}

@Suite(.blockingAllowed) struct ResourceLimitTests {
    @Test func outOfDescriptorsPausesAcceptingInsteadOfSpinningAndLogsOnce() async throws {
        let accept = ExhaustibleAccept()
        let logger = CapturingServerLogger()
        // A backoff far longer than the test: only a freed descriptor may re-arm accepting.
        // One loop: with two, the loop that paused may not be the one whose connection
        // closes, and the queued client then waits for the backoff (250 ms by default).
        // No idle or header deadline may close a connection while the test is starved of
        // CPU (it once was, under ASan on a loaded machine: "connection closed by server").
        try await withServer({ $0.acceptBackoffMs = 600_000; $0.eventLoops = 1
                               $0.idleTimeoutMs = 600_000; $0.headerTimeoutMs = 600_000 }, logger: logger,
                             acceptCall: accept.call) { server, port in
            let first = try RawHTTPClient(port: port)
            try first.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try first.readResponse().status == 200)

            accept.exhausted.store(true, ordering: .releasing)
            let waiting = try RawHTTPClient(port: port)  // completes in the kernel's backlog
            #expect(await eventually(within: .seconds(30)) { accept.attemptsWhileExhausted.load(ordering: .relaxed) > 0 })
            // Plenty of loop iterations: a spinning loop would retry accept in every one.
            for index in 0..<50 {
                try first.send("GET /r\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try first.readResponse().status == 200)
            }
            #expect(accept.attemptsWhileExhausted.load(ordering: .relaxed) == 1)
            #expect(logger.count("warning out of file descriptors") == 1)

            // A descriptor is freed: accepting resumes and the queued client is served.
            accept.exhausted.store(false, ordering: .releasing)
            try first.send("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            _ = try first.readResponse()
            try waiting.send("GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try waiting.readResponse().bodyText == "GET /late 0")
            #expect(logger.count("warning out of file descriptors") == 1)
            #expect(server.openConnections == 1)
        }
    }

    @Test(arguments: [
        (20_000, 20_000), (20_000, 1_048_576), (1_000_000, 1024), (10, 64), (20_000, 16),
    ])
    func connectionCapStaysBelowTheDescriptorLimit(configured: Int, descriptors: Int) {
        let cap = ConnectionBudget.cap(configured: configured, descriptorLimit: descriptors)
        #expect(cap >= 1)
        #expect(cap <= configured)
        #expect(cap < descriptors)
    }

    @Test func startRaisesTheSoftDescriptorLimitAndCapsConnectionsBelowIt() async throws {
        try await withServer({ $0.maxConnections = .max }) { server, _ in
            var limit = rlimit()
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            #expect(limit.rlim_cur == limit.rlim_max)
            #expect(server.connectionLimit < Int(clamping: limit.rlim_cur))
        }
    }

    /// 120 bytes of head used to reserve the whole declared Content-Length.
    @Test(arguments: ["Content-Length: 1000000", "Transfer-Encoding: chunked"])
    func bodyBufferGrowsWithTheDataNotTheDeclaredLength(framing: String) async throws {
        // No deadline may close the connection while the test looks, however loaded the machine.
        try await withServer({ $0.maxBodyBytes = 1 << 20; $0.headerTimeoutMs = 600_000; $0.bodyTimeoutMs = 600_000 }) { server, port in
            let client = try RawHTTPClient(port: port)
            let body = framing.hasPrefix("Content") ? String(repeating: "a", count: 100) : "f4240\r\n" + String(repeating: "a", count: 100)
            try client.send("POST /body HTTP/1.1\r\nHost: x\r\n\(framing)\r\n\r\n" + body)
            #expect(await eventually(within: .seconds(60)) { await server.connectionSnapshots().contains { $0.bodyBytes == 100 } })
            for snapshot in await server.connectionSnapshots() { #expect(snapshot.bodyCapacity <= 4096) }
        }
    }
}
