import HTTPCore
import Testing

@Suite struct ChunkedBodyDecoderTests {
    @Test(arguments: [1, 2, 3, 7, 1000])
    func bodyWithExtensionsAndTrailersDecodesInAnyPieces(step: Int) {
        let raw = "4;a=b\r\nWiki\r\n5 ;q=\"x y\"\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\nY-T: two\r\n\r\n"
        let (result, body, consumed) = ParserHarness.decodeChunked(raw + "NEXT", step: step)
        guard case .done(_, let trailers) = result else { Issue.record("\(result)"); return }
        #expect(String(decoding: body, as: UTF8.self) == "Wikipedia in\r\n\r\nchunks.")
        #expect(consumed == raw.utf8.count)  // "NEXT" belongs to the next request
        #expect(trailers["x-t"] == "1")
        #expect(trailers["Y-T"] == "two")
    }

    @Test func emptyBodyIsJustTheLastChunk() {
        let (result, body, consumed) = ParserHarness.decodeChunked("0\r\n\r\n", step: 1)
        #expect(result == .done(consumed: 5, trailers: HTTPHeaders()))
        #expect(body.isEmpty)
        #expect(consumed == 5)
    }

    @Test func upperAndLowerCaseHexSizes() {
        let raw = "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n"
        #expect(ParserHarness.decodeChunked(raw, step: 4).body.count == 20)
    }

    @Test(arguments: ChunkedFixtures.malformed)
    func malformedFramingIs400(raw: String, reason: String) {
        for step in [1, 64] {
            #expect(ParserHarness.decodeChunked(raw, step: step).result == .invalid(HTTPParseError(.badRequest, reason)))
        }
    }

    @Test func sixteenHexDigitsAreAllowedWhenTheyFit() {
        let (result, body, _) = ParserHarness.decodeChunked("0000000000000002\r\nab\r\n0\r\n\r\n", step: 3)
        guard case .done = result else { Issue.record("\(result)"); return }
        #expect(body == Array("ab".utf8))
    }

    @Test func validExtensionsWithQuotedStringsPass() {
        let raw = "2 ; a = b ;c;d=\"q \\\" ;x\"\r\nab\r\n0\r\n\r\n"
        guard case .done = ParserHarness.decodeChunked(raw, step: 1).result else { Issue.record("refused \(raw)"); return }
    }

    @Test func afterAnErrorEveryLaterCallReportsIt() {
        var decoder = ChunkedBodyDecoder(maxBodyBytes: 100)
        var body: [UInt8] = []
        let first = Array("zz\r\n".utf8).withUnsafeBytes { decoder.feed($0, into: &body) }
        let second = Array("5\r\nhello\r\n".utf8).withUnsafeBytes { decoder.feed($0, into: &body) }
        #expect(first == .invalid(HTTPParseError(.badRequest, "missing or invalid chunk size")))
        #expect(second == first)
        #expect(body.isEmpty)
    }

    @Test func bodyOverTheLimitIs413AsSoonAsAChunkAnnouncesIt() {
        let (result, body, _) = ParserHarness.decodeChunked("8\r\n12345678\r\n9\r\n", step: 1, maxBody: 16)
        #expect(result == .invalid(HTTPParseError(.contentTooLarge, "chunked body over the limit of 16 bytes")))
        #expect(body.count == 8)
    }

    @Test func oversizedTrailerSectionIs431() {
        let raw = "0\r\nX: " + String(repeating: "t", count: 9000) + "\r\n\r\n"
        #expect(ParserHarness.decodeChunked(raw, step: 512).result
                == .invalid(HTTPParseError(.requestHeaderFieldsTooLarge, "trailer section larger than 8192 bytes")))
    }
}
