import HTTPClient
import HTTPCore
import ReceiverTestSupport
import Testing

/// Responses the client must refuse, each from a real receiver over a socket; the parser's
/// own fixture table (byte at a time, every rejection reason) is ResponseParserTests.
@Suite struct MalformedResponseTests {
    struct Row: Sendable, CustomStringConvertible {
        let name: String
        let bytes: String
        let expected: ErrorKind
        var description: String { name }
    }

    static let rows: [Row] = [
        Row(name: "bad status line", bytes: "HTTP/1.1 OK\r\n\r\n", expected: .malformedResponse),
        Row(name: "not HTTP at all", bytes: "SSH-2.0-OpenSSH_9.2\r\n", expected: .malformedResponse),
        Row(name: "status code out of range", bytes: "HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n", expected: .malformedResponse),
        Row(name: "HTTP/2 status line", bytes: "HTTP/2.0 200 OK\r\n\r\n", expected: .malformedResponse),
        Row(name: "bare LF", bytes: "HTTP/1.1 200 OK\nContent-Length: 0\n\n", expected: .malformedResponse),
        Row(name: "bad chunk size", bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", expected: .malformedResponse),
        Row(name: "chunk not followed by CRLF", bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
            expected: .malformedResponse),
        Row(name: "chunked body cut short", bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            expected: .malformedResponse),
        Row(name: "Content-Length and Transfer-Encoding",
            bytes: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", expected: .malformedResponse),
        Row(name: "negative Content-Length", bytes: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", expected: .malformedResponse),
        Row(name: "two Content-Lengths", bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            expected: .malformedResponse),
        Row(name: "gzip transfer coding", bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            expected: .malformedResponse),
        Row(name: "body shorter than Content-Length", bytes: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
            expected: .malformedResponse),
        Row(name: "closed before a response", bytes: "", expected: .malformedResponse),
        Row(name: "101 without an upgrade", bytes: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", expected: .malformedResponse),
        Row(name: "huge Content-Length", bytes: "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", expected: .tooLarge),
        Row(name: "Content-Length over the body limit", bytes: "HTTP/1.1 200 OK\r\nContent-Length: 4097\r\n\r\n", expected: .tooLarge),
        Row(name: "header too long", bytes: "HTTP/1.1 200 OK\r\nX-Long: \(String(repeating: "a", count: 2000))\r\n\r\n", expected: .tooLarge),
        Row(name: "chunked body over the limit",
            bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1001\r\n\(String(repeating: "a", count: 4097))\r\n0\r\n\r\n",
            expected: .tooLarge),
        Row(name: "close-delimited body over the limit",
            bytes: "HTTP/1.1 200 OK\r\n\r\n\(String(repeating: "a", count: 5000))", expected: .tooLarge),
    ]

    static let limits = ResponseParserLimits(maxHeadBytes: 1024, maxHeaderCount: 20, maxBodyBytes: 4096)

    @Test(arguments: rows)
    func refused(_ row: Row) async throws {
        let server = try TestServer { _ in .text(row.bytes) }
        defer { server.stop() }
        let client = try loopbackClient(limits: MalformedResponseTests.limits)
        let result = await outcome(client, HTTPClientRequest(url: server.url))
        #expect(result.errorKind == row.expected, "\(result)")
    }

    @Test func bodiesAtTheLimitsAreAccepted() async throws {
        let body = String(repeating: "a", count: 4096)
        let replies = [
            "HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n\(body)",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n\(body)\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\n\r\n\(body)",
        ]
        let client = try loopbackClient(limits: MalformedResponseTests.limits)
        for reply in replies {
            let server = try TestServer { _ in .text(reply) }
            defer { server.stop() }
            let response = try await client.send(HTTPClientRequest(url: server.url), timeout: .seconds(30))
            #expect(response.body.count == 4096)
        }
    }

    @Test func aTLSCloseDelimitedBodyEndsOnlyWithCloseNotify() async throws {
        // The test receiver ends TLS with close_notify, so the body is complete.
        let pki = try await TestPKI.shared.value
        let server = try TestServer(tls: pki.good) { _ in .text("HTTP/1.1 200 OK\r\n\r\nall of it") }
        defer { server.stop() }
        let client = try loopbackClient(caFile: pki.caFile)
        let response = try await client.send(HTTPClientRequest(url: server.url(host: "localhost")), timeout: .seconds(30))
        #expect(response.body == Array("all of it".utf8))
    }

    @Test func aTLSStreamCutWithoutCloseNotifyIsATruncatedBody() async throws {
        let pki = try await TestPKI.shared.value
        let cut = try TestServer(tls: pki.good) { _ in .sendThenCut(Array("HTTP/1.1 200 OK\r\n\r\npart of it".utf8)) }
        // With its own length the same cut is harmless: the body is complete before it.
        let framed = try TestServer(tls: pki.good) { _ in .sendThenCut(Array("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nall".utf8)) }
        defer { cut.stop(); framed.stop() }
        let client = try loopbackClient(caFile: pki.caFile)
        #expect(await outcome(client, HTTPClientRequest(url: cut.url(host: "localhost"))).errorKind == .malformedResponse)
        #expect(await outcome(client, HTTPClientRequest(url: framed.url(host: "localhost"))).response?.body == Array("all".utf8))
    }
}
