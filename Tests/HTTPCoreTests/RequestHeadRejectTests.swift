import HTTPCore
import Testing

/// One rejected fixture: raw bytes in, status and reason out.
struct RejectFixture: Sendable, CustomTestStringConvertible {
    let raw: String
    let status: Int
    let reason: String
    var limits = HTTPParserLimits()
    var testDescription: String { reason + " — " + raw.debugDescription.prefix(60) }
}

@Suite struct RequestHeadRejectTests {
    static let small = HTTPParserLimits(maxRequestLineBytes: 64, maxHeaderBytes: 128, maxHeaderCount: 3)

    static let fixtures: [RejectFixture] = [
        // Request line (RFC 9112 §3)
        RejectFixture(raw: "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "invalid method token"),
        RejectFixture(raw: " GET / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "invalid method token"),
        RejectFixture(raw: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "malformed request line"),
        RejectFixture(raw: "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "malformed HTTP version"),
        RejectFixture(raw: "GET /a\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "invalid character in request target"),
        RejectFixture(raw: "GET /\u{1}x HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "invalid character in request target"),
        RejectFixture(raw: "GET /é HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "invalid character in request target"),
        RejectFixture(raw: "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "unsupported request-target form"),
        RejectFixture(raw: "CONNECT a.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "unsupported request-target form"),
        RejectFixture(raw: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "asterisk-form target is only for OPTIONS"),
        RejectFixture(raw: "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", status: 400, reason: "malformed HTTP version"),
        RejectFixture(raw: "GET / HTTP/11\r\nHost: a\r\n\r\n", status: 400, reason: "malformed HTTP version"),
        RejectFixture(raw: "GET / http/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "malformed HTTP version"),
        RejectFixture(raw: "GET /\r\nHost: a\r\n\r\n", status: 400, reason: "malformed request line"),
        RejectFixture(raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 505, reason: "HTTP/2.0 is not supported"),
        RejectFixture(raw: "GET / HTTP/0.9\r\nHost: a\r\n\r\n", status: 505, reason: "HTTP/0.9 is not supported"),
        RejectFixture(raw: "GET /\(String(repeating: "a", count: 80)) HTTP/1.1\r\nHost: a\r\n\r\n", status: 414,
                      reason: "request line longer than 64 bytes", limits: small),
        // Line endings (RFC 9112 §2.2)
        RejectFixture(raw: "GET / HTTP/1.1\nHost: a\n\n", status: 400, reason: "bare LF line ending"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\n\r\n", status: 400, reason: "bare LF line ending"),
        RejectFixture(raw: "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "bare LF line ending"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", status: 400, reason: "control character in header field value"),
        // Field lines (RFC 9112 §5)
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", status: 400, reason: "whitespace before colon in header field"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", status: 400, reason: "obsolete line folding in header field"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\n\tX-A: b\r\n\r\n", status: 400, reason: "obsolete line folding in header field"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{0}c\r\n\r\n", status: 400, reason: "control character in header field value"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{1B}c\r\n\r\n", status: 400, reason: "control character in header field value"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{7F}\r\n\r\n", status: 400, reason: "control character in header field value"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", status: 400, reason: "invalid character in header field name"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", status: 400, reason: "header field without a colon"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n", status: 400, reason: "empty header field name"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Long: \(String(repeating: "v", count: 200))\r\n\r\n", status: 431,
                      reason: "header section larger than 128 bytes", limits: small),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", status: 431,
                      reason: "more than 3 header fields", limits: small),
        // Host (RFC 9112 §3.2)
        RejectFixture(raw: "GET / HTTP/1.1\r\n\r\n", status: 400, reason: "missing Host header"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", status: 400, reason: "duplicate Host header"),
        RejectFixture(raw: "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", status: 400, reason: "duplicate Host header"),
        // Framing (RFC 9112 §6)
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400,
                      reason: "both Transfer-Encoding and Content-Length"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", status: 400,
                      reason: "duplicate Content-Length"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n", status: 400, reason: "malformed Content-Length"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", status: 400, reason: "malformed Content-Length"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", status: 400, reason: "malformed Content-Length"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", status: 400, reason: "malformed Content-Length"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", status: 400, reason: "malformed Content-Length"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", status: 400, reason: "malformed Content-Length"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", status: 400,
                      reason: "malformed Content-Length"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501,
                      reason: "transfer coding 'gzip' is not supported"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", status: 400,
                      reason: "chunked is not the final transfer coding"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", status: 400,
                      reason: "chunked is not the final transfer coding"),
        RejectFixture(raw: "GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "invalid character in request target"),
        RejectFixture(raw: "GET /a%2 HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "malformed percent-encoding in request target"),
        RejectFixture(raw: "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, reason: "malformed percent-encoding in request target"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400,
                      reason: "chunked applied more than once"),
        RejectFixture(raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", status: 400, reason: "empty Transfer-Encoding"),
        RejectFixture(raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400,
                      reason: "Transfer-Encoding in an HTTP/1.0 request"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400, reason: "invalid Host header"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", status: 400, reason: "invalid Host header"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", status: 400, reason: "invalid Host header"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n", status: 400, reason: "invalid Host header"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", status: 400, reason: "invalid Host header"),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", status: 400, reason: "invalid Host header"),
        // Expectations (RFC 9110 §10.1.1)
        RejectFixture(raw: "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", status: 417, reason: "unsupported expectation"),
        // Found by Fuzz/Targets/RequestHead.swift: fed whole, these got another answer than
        // fed byte by byte, because whole the parser looked for every line end before it
        // checked what a partial line already proves.
        RejectFixture(raw: "G(T /\(String(repeating: "a", count: 80)) HTTP/1.1\r\nHost: a\r\n\r\n", status: 400,
                      reason: "invalid method token", limits: small),
        RejectFixture(raw: "G(T / HTTP/1.1\r\nX\n\r\n", status: 400, reason: "invalid method token"),
        RejectFixture(raw: "GET /\(String(repeating: "a", count: 80))\n", status: 414,
                      reason: "request line longer than 64 bytes", limits: small),
        RejectFixture(raw: "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "v", count: 200))\n\r\n", status: 431,
                      reason: "header section larger than 128 bytes", limits: small),
    ]

    @Test(arguments: fixtures)
    func rejectedWholeAndByteAtATimeWithTheSameReason(fixture: RejectFixture) {
        let expected = RequestHeadParseResult.invalid(HTTPParseError(HTTPStatus(code: fixture.status), fixture.reason))
        #expect(ParserHarness.whole(fixture.raw, limits: fixture.limits) == expected)
        #expect(ParserHarness.byteAtATime(fixture.raw, limits: fixture.limits) == expected)
    }

    @Test func garbageMethodIsRefusedBeforeTheLineEnds() {
        #expect(ParserHarness.whole("((((") == .invalid(HTTPParseError(.badRequest, "invalid method token")))
    }

    @Test func emptyLinesBeforeTheRequestCountTowardTheLineLimit() {
        #expect(ParserHarness.whole(String(repeating: "\r\n", count: 40), limits: Self.small)
                == .invalid(HTTPParseError(.uriTooLong, "request line longer than 64 bytes")))
    }

    /// At exactly the limit a line is accepted, fed whole or byte by byte.
    @Test func linesExactlyAtTheLimitsAreAccepted() {
        let limits = HTTPParserLimits(maxRequestLineBytes: 18, maxHeaderBytes: 19, maxHeaderCount: 2)
        let atLineLimit = "GET /aaaa HTTP/1.1\r\nHost: a\r\n\r\n"          // request line: 18 bytes
        let atHeaderLimit = "GET / HTTP/1.1\r\nHost: a\r\nX: 12345\r\n\r\n"  // field lines: 19 bytes
        for raw in [atLineLimit, atHeaderLimit] {
            guard case .complete = ParserHarness.whole(raw, limits: limits) else { Issue.record("whole \(raw)"); continue }
            guard case .complete = ParserHarness.byteAtATime(raw, limits: limits) else { Issue.record("bytes \(raw)"); continue }
        }
    }

    @Test func overlongRequestLineIsRefusedBeforeItEnds() {
        let partial = "GET /" + String(repeating: "a", count: 100)
        #expect(ParserHarness.whole(partial, limits: Self.small)
                == .invalid(HTTPParseError(.uriTooLong, "request line longer than 64 bytes")))
    }

    @Test func oversizedHeaderSectionIsRefusedBeforeItEnds() {
        let partial = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 200)
        #expect(ParserHarness.whole(partial, limits: Self.small)
                == .invalid(HTTPParseError(.requestHeaderFieldsTooLarge, "header section larger than 128 bytes")))
    }
}
