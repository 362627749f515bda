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
        var result = whole("", limits: limits)
        for end in stride(from: 1, through: bytes.count, by: 1) {
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

    /// Parses the first `cut` bytes, then the whole fixture resuming where the first call
    /// stopped: the server's case when a head arrives in two reads.
    static func inTwoPieces(_ text: String, cut: Int, limits: HTTPParserLimits = HTTPParserLimits()) -> RequestHeadParseResult {
        let bytes = Array(text.utf8)
        let first = Array(bytes[0..<cut]).withUnsafeBytes { RequestHeadParser.parse($0, limits: limits) }
        guard case .needMore(let scanned) = first else { return first }
        return bytes.withUnsafeBytes { RequestHeadParser.parse($0, resumeFrom: scanned, limits: limits) }
    }

    /// Decodes a chunked body fed in pieces of `step` bytes.
    static func decodeChunked(_ text: String, step: Int, maxBody: Int = 1 << 20, framingAllowance: Int = 4096)
        -> (result: ChunkedDecodeResult, body: [UInt8], consumed: Int) {
        let count = text.utf8.count
        let cuts = Array(stride(from: max(1, step), to: count, by: max(1, step)))
        return decodeChunked(text, cuts: cuts, maxBody: maxBody, framingAllowance: framingAllowance)
    }

    /// Decodes a chunked body fed in pieces that end at each of `cuts` (ascending offsets).
    static func decodeChunked(_ text: String, cuts: [Int], maxBody: Int = 1 << 20, framingAllowance: Int = 4096)
        -> (result: ChunkedDecodeResult, body: [UInt8], consumed: Int) {
        let bytes = Array(text.utf8)
        var decoder = ChunkedBodyDecoder(maxBodyBytes: maxBody, framingAllowance: framingAllowance)
        var body: [UInt8] = []
        var offset = 0
        let ends = cuts + [bytes.count]
        var next = 0
        while offset < bytes.count {
            // A piece always starts where the decoder stopped, as the server does.
            while next < ends.count - 1 && ends[next] <= offset { next += 1 }
            let end = max(ends[next], offset + 1)
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
