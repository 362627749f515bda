import HTTPCore
import Testing

/// The chunked-body fixtures every decoder test shares: one line each, raw bytes in and the
/// outcome out. The differential tests feed all of them whole, byte by byte and in two pieces.
enum ChunkedFixtures {
    /// Framing that is broken however it is fed: raw bytes and the 400's reason.
    static let malformed: [(String, String)] = [
            ("\r\n", "missing or invalid chunk size"),
            ("x\r\n", "missing or invalid chunk size"),
            ("-1\r\n", "missing or invalid chunk size"),
            ("5x\r\nhello\r\n0\r\n\r\n", "invalid character in chunk size"),
            ("5 x\r\n", "invalid character after chunk size"),
            ("5\rhello", "chunk size line not ended by CRLF"),
            ("5\r\nhelloXX", "chunk data not followed by CRLF"),
            ("5\r\nhello\rX", "chunk data not followed by CRLF"),
            ("1234567890abcdef0\r\n", "chunk size too long"),
            ("8000000000000000\r\n", "chunk size overflows"),
            ("2;\r\naa\r\n0\r\n\r\n", "invalid chunk extension"),
            ("2;a=\r\naa\r\n0\r\n\r\n", "invalid chunk extension"),
            ("2;a b\r\naa\r\n0\r\n\r\n", "invalid chunk extension"),
            ("2;a=\"x\r\naa\r\n0\r\n\r\n", "invalid chunk extension"),
            ("2;a=b \r\naa\r\n0\r\n\r\n", "invalid chunk extension"),
            ("2;(a)\r\naa\r\n0\r\n\r\n", "invalid chunk extension"),
            ("0\r\n\n", "bare LF in trailer section"),
            ("5;a=\u{1}\r\n", "control character in chunk extension"),
            ("0\r\nX-T: 1\n", "bare LF in trailer section"),
            ("0\r\nBad Name: 1\r\n\r\n", "whitespace before colon in header field"),
            ("0\r\n\rX", "chunked body not ended by CRLF"),
    ]

    static func oneByteChunks(_ count: Int) -> String { String(repeating: "1\r\na\r\n", count: count) + "0\r\n\r\n" }
    static let longExtension = "1;" + String(repeating: "e", count: 4000) + "\r\na\r\n"

    /// Bodies at the edges: largest and smallest sizes, empty, repeated chunks and trailers.
    /// `error` nil means accepted with `body`.
    static let adversarial: [ChunkedFixture] = [
        ChunkedFixture("largest size on the second chunk (the overflow that crashed the server)",
                       "1\r\n{\r\n7fffffffffffffff\r\n", error: tooLarge(1 << 20)),
        ChunkedFixture("largest size on the first chunk", "7fffffffffffffff\r\n", error: tooLarge(1 << 20)),
        ChunkedFixture("largest size once the limit is reached", "10\r\n0123456789abcdef\r\n7fffffffffffffff\r\n",
                       error: tooLarge(16), maxBody: 16),
        ChunkedFixture("largest size with an extension after a chunk", "1\r\n{\r\n7fffffffffffffff;a=b\r\n",
                       error: tooLarge(1 << 20)),
        ChunkedFixture("one byte over the limit", "10\r\n0123456789abcdef\r\n1\r\n", error: tooLarge(16), maxBody: 16),
        ChunkedFixture("exactly the limit", "10\r\n0123456789abcdef\r\n0\r\n\r\n", body: "0123456789abcdef", maxBody: 16),
        ChunkedFixture("one size digit past Int.max", "8000000000000000\r\n", error: HTTPParseError(.badRequest, "chunk size overflows")),
        ChunkedFixture("smallest chunk", "1\r\na\r\n0\r\n\r\n", body: "a"),
        ChunkedFixture("empty body", "0\r\n\r\n", body: ""),
        ChunkedFixture("zero-padded sizes", "0000000000000001\r\na\r\n000\r\n\r\n", body: "a"),
        ChunkedFixture("a thousand one-byte chunks fit the framing allowance", oneByteChunks(1000),
                       body: String(repeating: "a", count: 1000)),
        ChunkedFixture("eleven hundred one-byte chunks do not", oneByteChunks(1100), error: framing),
        ChunkedFixture("framing exactly at a small allowance", "1\r\na\r\n1\r\nb\r\n0\r\n\r\n", body: "ab",
                       framingAllowance: 11),
        ChunkedFixture("framing one byte over a small allowance", "1\r\na\r\n1\r\nb\r\n0\r\n\r\n", error: framing,
                       framingAllowance: 10),
        ChunkedFixture("repeated long extensions on tiny chunks", longExtension + longExtension + "0\r\n\r\n", error: framing),
        ChunkedFixture("one long extension fits", longExtension + "0\r\n\r\n", body: "a"),
        ChunkedFixture("a hundred trailer fields", "0\r\n" + String(repeating: "t:\r\n", count: 100) + "\r\n", body: ""),
        ChunkedFixture("a hundred and one trailer fields", "0\r\n" + String(repeating: "t:\r\n", count: 101) + "\r\n",
                       error: HTTPParseError(.requestHeaderFieldsTooLarge, "more than 100 trailer fields")),
    ]

    static let framing = HTTPParseError(.badRequest, "chunk framing larger than the payload allows")
    static func tooLarge(_ limit: Int) -> HTTPParseError {
        HTTPParseError(.contentTooLarge, "chunked body over the limit of \(limit) bytes")
    }

    /// Every fixture as raw text with its limits, valid ones included.
    static var all: [ChunkedFixture] {
        malformed.map { ChunkedFixture($0.1, $0.0, error: HTTPParseError(.badRequest, $0.1)) } + adversarial + [
            ChunkedFixture("extensions and trailers",
                           "4;a=b\r\nWiki\r\n5 ;q=\"x y\"\r\npedia\r\n0\r\nX-T: 1\r\n\r\nNEXT", body: "Wikipedia"),
            ChunkedFixture("incomplete", "5\r\nhel", error: nil, body: nil),
        ]
    }
}

struct ChunkedFixture: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: String
    let error: HTTPParseError?
    let body: String?
    let maxBody: Int
    let framingAllowance: Int
    init(_ name: String, _ raw: String, error: HTTPParseError? = nil, body: String? = nil,
         maxBody: Int = 1 << 20, framingAllowance: Int = 4096) {
        self.name = name
        self.raw = raw
        self.error = error
        self.body = body
        self.maxBody = maxBody
        self.framingAllowance = framingAllowance
    }
    var testDescription: String { name }
}
