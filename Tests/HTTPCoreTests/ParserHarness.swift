import HTTPCore

/// Runs the head parser over a fixture whole, then fed one byte at a time (passing back
/// `scanned` as the server does), and returns both outcomes so tests can demand they agree.
enum ParserHarness {
    static func whole(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> RequestHeadParseResult {
        Array(text.utf8).withUnsafeBytes { RequestHeadParser.parse($0, limits: limits) }
    }

    static func byteAtATime(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> RequestHeadParseResult {
        let bytes = Array(text.utf8)
        var scanned = 0
        var result = RequestHeadParseResult.needMore(scanned: 0)
        for end in 1...max(1, bytes.count) {
            result = Array(bytes[0..<end]).withUnsafeBytes {
                RequestHeadParser.parse($0, resumeFrom: scanned, limits: limits)
            }
            switch result {
            case .needMore(let now):
                #if DEBUG
                precondition(now <= end, "scanned past the buffer")
                #endif
                scanned = now
            case .complete, .invalid:
                return result
            }
        }
        return result
    }

    /// Decodes a chunked body fed in pieces of `step` bytes.
    static func decodeChunked(_ text: String, step: Int, maxBody: Int = 1 << 20)
        -> (result: ChunkedDecodeResult, body: [UInt8], consumed: Int) {
        let bytes = Array(text.utf8)
        var decoder = ChunkedBodyDecoder(maxBodyBytes: maxBody)
        var body: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            let result = Array(bytes[offset..<end]).withUnsafeBytes { decoder.feed($0, into: &body) }
            switch result {
            case .needMore(let consumed):
                offset += consumed
            case .done(let consumed, let trailers):
                return (.done(consumed: offset + consumed, trailers: trailers), body, offset + consumed)
            case .invalid:
                return (result, body, offset)
            }
        }
        return (.needMore(consumed: offset), body, offset)
    }
}
