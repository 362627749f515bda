/// The outcome of one attempt to parse a request head from the bytes received so far.
public enum RequestHeadParseResult: Sendable, Equatable {
    /// A whole head was parsed; `consumed` bytes (through the blank line) belong to it.
    case complete(HTTPRequestHead, consumed: Int)
    /// The head is not complete yet. `scanned` is how far the parser looked; pass it back
    /// as `resumeFrom` with the grown buffer so it never rescans (picohttpparser's last_len).
    case needMore(scanned: Int)
    /// The bytes can never become a valid request.
    case invalid(HTTPParseError)
}

/// Parses an HTTP/1.1 request line and header section (RFC 9112 §2-§6).
/// A pure function over bytes: no I/O, and the caller owns every limit.
public enum RequestHeadParser {
    public static func parse(_ bytes: UnsafeRawBufferPointer, resumeFrom: Int = 0,
                             limits: HTTPParserLimits = HTTPParserLimits()) -> RequestHeadParseResult {
        .needMore(scanned: resumeFrom)  // placeholder until the parser lands
    }
}
