import HTTPCore
import Testing

@Suite struct RequestHeadAdversarialTests {
    static let unlimited = HTTPParserLimits(maxRequestLineBytes: .max, maxHeaderBytes: .max, maxHeaderCount: .max)
    static let zero = HTTPParserLimits(maxRequestLineBytes: 0, maxHeaderBytes: 0, maxHeaderCount: 0)

    /// Every accept and reject fixture, fed whole, byte by byte and cut in two anywhere
    /// (resuming from `scanned` as the server does), must give one outcome.
    @Test func everyFixtureAgreesWithItselfHoweverItIsSplit() {
        let fixtures = RequestHeadAcceptTests.fixtures.map { ($0.raw, HTTPParserLimits()) }
            + RequestHeadRejectTests.fixtures.map { ($0.raw, $0.limits) }
        for (raw, limits) in fixtures {
            let whole = ParserHarness.whole(raw, limits: limits)
            #expect(ParserHarness.byteAtATime(raw, limits: limits) == whole, "\(raw.debugDescription)")
            for cut in 0...raw.utf8.count {
                #expect(ParserHarness.inTwoPieces(raw, cut: cut, limits: limits) == whole, "cut \(cut) of \(raw.debugDescription)")
            }
        }
    }

    /// Limits are the caller's, so they may be anything: the parser's arithmetic on them
    /// must not overflow (a trap here is a crashed server).
    @Test(arguments: ["", "G", "GET / HTTP/1.1", "GET / HTTP/1.1\r\nHost: a", "GET / HTTP/1.1\r\nHost: a\r\n\r"])
    func largestLimitsNeverOverflow(partial: String) {
        #expect(ParserHarness.whole(partial, limits: Self.unlimited) == ParserHarness.byteAtATime(partial, limits: Self.unlimited))
        guard case .needMore = ParserHarness.whole(partial, limits: Self.unlimited) else {
            Issue.record("expected needMore for \(partial.debugDescription)"); return
        }
    }

    @Test func largestLimitsStillParseACompleteHead() {
        guard case .complete = ParserHarness.whole("GET / HTTP/1.1\r\nHost: a\r\n\r\n", limits: Self.unlimited) else {
            Issue.record("refused"); return
        }
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", HTTPParseError(.uriTooLong, "request line longer than 0 bytes")),
        ("\r\nGET / HTTP/1.1\r\n", HTTPParseError(.uriTooLong, "request line longer than 0 bytes")),
    ])
    func smallestLimitsRefuseEverything(raw: String, error: HTTPParseError) {
        #expect(ParserHarness.whole(raw, limits: Self.zero) == .invalid(error))
        #expect(ParserHarness.byteAtATime(raw, limits: Self.zero) == .invalid(error))
    }

    /// `resumeFrom` comes from the caller; a value outside the buffer must not make the
    /// parser read outside it.
    @Test(arguments: [-1, Int.min, 10_000, Int.max])
    func resumeOutsideTheBufferIsTheSameAsAFreshStart(resumeFrom: Int) {
        for raw in ["GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n", "GET / HTTP/1.1\nHost: a\r\n\r\n"] {
            let bytes = Array(raw.utf8)
            let resumed = bytes.withUnsafeBytes { RequestHeadParser.parse($0, resumeFrom: resumeFrom) }
            #expect(resumed == ParserHarness.whole(raw), "\(raw.debugDescription)")
        }
    }

    static let repeatedFields = (0..<100).map { "X-\($0): v\r\n" }.joined()

    @Test(arguments: [
        ("empty lines only", "\r\n\r\n\r\n", "needMore"),
        ("a hundred fields (the limit)", "GET / HTTP/1.1\r\n" + repeatedFields + "\r\n", "400 missing Host header"),
        ("a hundred and one fields", "GET / HTTP/1.1\r\nHost: a\r\n" + repeatedFields + "\r\n", "431 more than 100 header fields"),
        ("Content-Length with many leading zeros", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
            + String(repeating: "0", count: 40) + "5\r\n\r\n", "complete"),
        ("Content-Length one past Int.max", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n",
         "400 malformed Content-Length"),
        ("the longest method token", String(repeating: "M", count: 8000) + " / HTTP/1.1\r\nHost: a\r\n\r\n", "complete"),
        ("a NUL in the request line", "GET /\u{0} HTTP/1.1\r\nHost: a\r\n\r\n", "400 invalid character in request target"),
        ("a lone CR as a field line", "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n\r\n", "400 invalid character in header field name"),
    ])
    func edgeCases(name: String, raw: String, expected: String) {
        for result in [ParserHarness.whole(raw), ParserHarness.byteAtATime(raw)] {
            let outcome: String = switch result {
            case .needMore: "needMore"
            case .complete: "complete"
            case .invalid(let error): "\(error.status.code) \(error.reason)"
            }
            #expect(outcome == expected, "\(name)")
        }
    }
}
