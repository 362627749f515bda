import Glibc
import HTTPClient
import HTTPCore
import ReceiverTestSupport
import Testing
import TestSupport

/// One deadline covers connect, TLS, request and response. Every receiver here is on
/// 127.0.0.1: a connect that never completes comes from a listener whose accept queue is
/// full, not from an unroutable address.
@Suite struct DeadlineTests {
    @Test func aConnectThatNeverCompletesTimesOut() async throws {
        let (listenFD, port) = try LoopbackSocket.listen(backlog: 0)
        defer { close(listenFD) }
        // Fill the accept queue (never accepted): the kernel then drops further SYNs.
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<4 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fillers.append(fd)
        }
        let client = try loopbackClient()
        let result = await outcome(client, HTTPClientRequest(url: "http://127.0.0.1:\(port)/"), timeout: .milliseconds(300))
        #expect(result.errorKind == .timeout)
    }

    @Test func aServerThatNeverAnswersHitsTheDeadline() async throws {
        let server = try TestServer { _ in .hang }
        defer { server.stop() }
        let client = try loopbackClient()
        let result = await outcome(client, HTTPClientRequest(method: .post, url: server.url, body: [1]), timeout: .seconds(1))
        #expect(result.errorKind == .timeout)
    }

    @Test func aServerThatDripsForeverHitsTheSameDeadline() async throws {
        // Each piece arrives well within the deadline: only a deadline over the whole
        // exchange, not one per read, ends it.
        let pieces = [Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".utf8)] + Array(repeating: [UInt8(ascii: "x")], count: 99)
        let server = try TestServer { _ in .drip(pieces, pause: .milliseconds(50)) }
        defer { server.stop() }
        let client = try loopbackClient()
        #expect(await outcome(client, HTTPClientRequest(url: server.url), timeout: .milliseconds(500)).errorKind == .timeout)
    }

    @Test func aTLSHandshakeThatStallsHitsTheDeadline() async throws {
        // A plain server that hangs: the ClientHello is read as a request head that never ends.
        let server = try TestServer { _ in .hang }
        defer { server.stop() }
        let pki = try await TestPKI.shared.value
        let client = try loopbackClient(caFile: pki.caFile)
        let url = server.url(host: "localhost").replacingHTTP()
        #expect(await outcome(client, HTTPClientRequest(url: url), timeout: .milliseconds(300)).errorKind == .timeout)
    }

    @Test func aDeadlineAlreadyPassedFailsAtOnce() async throws {
        let server = try TestServer(reply: echoReply)
        defer { server.stop() }
        let client = try loopbackClient()
        let result: Result<HTTPClientResponse, HTTPClientError>
        do {
            result = .success(try await client.send(HTTPClientRequest(url: server.url), deadline: .now - .seconds(1)))
        } catch {
            result = .failure(error)
        }
        #expect(result.errorKind == .timeout)
        #expect(server.acceptedCount == 0)
    }
}
