/// The outcome of feeding bytes to a `ChunkedBodyDecoder`.
public enum ChunkedDecodeResult: Sendable, Equatable {
    /// All of `consumed` was used; the body is not finished.
    case needMore(consumed: Int)
    /// The last chunk and trailer section ended after `consumed` bytes; later bytes are
    /// the next request.
    case done(consumed: Int, trailers: HTTPHeaders)
    /// Malformed framing (400) or a body over the limit (413).
    case invalid(HTTPParseError)
}

/// Decodes a chunked request body (RFC 9112 §7.1) incrementally, appending the data to a
/// caller-owned buffer. A value type holding only its state: no I/O.
public struct ChunkedBodyDecoder: Sendable {
    public let maxBodyBytes: Int
    public init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    public mutating func feed(_ input: UnsafeRawBufferPointer, into body: inout [UInt8]) -> ChunkedDecodeResult {
        .needMore(consumed: input.count)  // placeholder until the decoder lands
    }
}
