import HTTPCore
import Testing

/// One accepted fixture: raw bytes in, the head expected out.
struct AcceptFixture: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: String
    let method: String
    let target: String
    var version = HTTPVersion.http1_1
    var framing = BodyFraming.none
    var keepAlive = true
    var expectsContinue = false
    var headers: [(String, String)]? = nil
    var testDescription: String { name }
}

@Suite struct RequestHeadAcceptTests {
    static let fixtures: [AcceptFixture] = [
        AcceptFixture(name: "simple GET", raw: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", method: "GET", target: "/",
                      headers: [("Host", "a")]),
        AcceptFixture(name: "query kept in target", raw: "GET /p?a=1&b=%20 HTTP/1.1\r\nHost: a\r\n\r\n",
                      method: "GET", target: "/p?a=1&b=%20"),
        AcceptFixture(name: "OWS trimmed, empty value kept",
                      raw: "GET / HTTP/1.1\r\nHost:a\r\nX-A: \t v v \t\r\nX-Empty:\r\n\r\n", method: "GET", target: "/",
                      headers: [("Host", "a"), ("X-A", "v v"), ("X-Empty", "")]),
        AcceptFixture(name: "leading empty line ignored (RFC 9112 §2.2)", raw: "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
                      method: "GET", target: "/"),
        AcceptFixture(name: "custom method token", raw: "PURGE-IT /x HTTP/1.1\r\nHost: a\r\n\r\n", method: "PURGE-IT", target: "/x"),
        AcceptFixture(name: "content-length", raw: "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n",
                      method: "POST", target: "/x", framing: .contentLength(12)),
        AcceptFixture(name: "content-length zero", raw: "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
                      method: "POST", target: "/x", framing: .contentLength(0)),
        AcceptFixture(name: "chunked, any case", raw: "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n",
                      method: "POST", target: "/x", framing: .chunked),
        AcceptFixture(name: "connection close", raw: "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n",
                      method: "GET", target: "/", keepAlive: false),
        AcceptFixture(name: "HTTP/1.0 closes by default", raw: "GET / HTTP/1.0\r\n\r\n", method: "GET", target: "/",
                      version: .http1_0, keepAlive: false),
        AcceptFixture(name: "HTTP/1.0 keep-alive", raw: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
                      method: "GET", target: "/", version: .http1_0, keepAlive: true),
        AcceptFixture(name: "HTTP/1.9 served as 1.1 (RFC 9110 §2.5)", raw: "GET / HTTP/1.9\r\nHost: a\r\n\r\n",
                      method: "GET", target: "/"),
        AcceptFixture(name: "expect 100-continue", raw: "PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n",
                      method: "PUT", target: "/x", framing: .contentLength(1), expectsContinue: true),
        AcceptFixture(name: "HTTP/1.0 100-continue is ignored (RFC 9110 §10.1.1)",
                      raw: "POST /u HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", method: "POST", target: "/u",
                      version: .http1_0, framing: .contentLength(5), keepAlive: false, expectsContinue: false),
        AcceptFixture(name: "largest Content-Length parses (the body limit refuses it later)",
                      raw: "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n", method: "POST",
                      target: "/u", framing: .contentLength(Int.max)),
        AcceptFixture(name: "Host forms: IP literal with port, empty value",
                      raw: "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", method: "GET", target: "/"),
        AcceptFixture(name: "empty Host is valid (RFC 9112 §3.2)", raw: "GET / HTTP/1.1\r\nHost:\r\n\r\n", method: "GET", target: "/"),
        AcceptFixture(name: "HEAD", raw: "HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n", method: "HEAD", target: "/x"),
        AcceptFixture(name: "absolute-form reduced to path (RFC 9112 §3.2.2)",
                      raw: "GET http://example.com/a/b?c=d HTTP/1.1\r\nHost: example.com\r\n\r\n", method: "GET", target: "/a/b?c=d"),
        AcceptFixture(name: "absolute-form without path", raw: "GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n",
                      method: "GET", target: "/"),
        AcceptFixture(name: "asterisk-form for OPTIONS", raw: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", method: "OPTIONS", target: "*"),
        AcceptFixture(name: "UTF-8 in a value kept", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-L: caf\u{E9}\r\n\r\n",
                      method: "GET", target: "/", headers: [("Host", "a"), ("X-L", "café")]),
        AcceptFixture(name: "repeated non-framing headers kept in order",
                      raw: "GET / HTTP/1.1\r\nHost: a\r\nAccept: a\r\naccept: b\r\n\r\n", method: "GET", target: "/",
                      headers: [("Host", "a"), ("Accept", "a"), ("accept", "b")]),
    ]

    @Test(arguments: fixtures)
    func acceptedWholeAndByteAtATime(fixture: AcceptFixture) throws {
        let raw = fixture.raw
        for result in [ParserHarness.whole(raw), ParserHarness.byteAtATime(raw)] {
            guard case .complete(let head, let consumed) = result else {
                Issue.record("\(fixture.name): expected complete, got \(result)")
                continue
            }
            #expect(consumed == raw.utf8.count)
            #expect(head.method.rawValue == fixture.method)
            #expect(head.target == fixture.target)
            #expect(head.version == fixture.version)
            #expect(head.framing == fixture.framing)
            #expect(head.keepAlive == fixture.keepAlive)
            #expect(head.expectsContinue == fixture.expectsContinue)
            if let expected = fixture.headers {
                #expect(head.headers.fields.map { [$0.name, $0.value] } == expected.map { [$0.0, $0.1] })
            }
        }
    }

    @Test func obsTextThatIsNotUTF8IsReadAsLatin1() {
        var bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX-L: caf".utf8)
        bytes += [0xE9]
        bytes += Array("\r\n\r\n".utf8)
        let result = bytes.withUnsafeBytes { RequestHeadParser.parse($0) }
        guard case .complete(let head, _) = result else { Issue.record("\(result)"); return }
        #expect(head.headers["x-l"] == "café")
    }

    @Test func incompleteHeadsNeedMore() {
        for partial in ["", "G", "GET / HTTP/1.1", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: a\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r"] {
            guard case .needMore = ParserHarness.whole(partial) else {
                Issue.record("expected needMore for \(partial.debugDescription)")
                continue
            }
        }
    }

    @Test func threePipelinedRequestsParseOneAfterAnother() throws {
        let raw = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n"
        var bytes = Array(raw.utf8)
        var targets: [String] = []
        while !bytes.isEmpty {
            let result = bytes.withUnsafeBytes { RequestHeadParser.parse($0) }
            guard case .complete(let head, let consumed) = result else { Issue.record("\(result)"); return }
            targets.append(head.target)
            bytes.removeFirst(consumed)
        }
        #expect(targets == ["/1", "/2", "/3"])
    }

    @Test func resumingNeverChangesTheOutcome() {
        let raw = "GET /resume HTTP/1.1\r\nHost: a\r\nX-One: 1\r\nX-Two: 2\r\n\r\n"
        #expect(ParserHarness.whole(raw) == ParserHarness.byteAtATime(raw))
    }
}
