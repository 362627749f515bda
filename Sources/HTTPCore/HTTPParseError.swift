/// Why a request was rejected before reaching the application, and which status to send.
/// Every parse error closes the connection: once framing is in doubt nothing after it
/// can be trusted (RFC 9112 §11.2).
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: HTTPStatus
    public let reason: String

    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status.code): \(reason)" }
}

/// Limits the parser enforces; the caller (the server) owns their values.
public struct HTTPParserLimits: Sendable {
    /// Longest request line; longer -> 414.
    public var maxRequestLineBytes: Int
    /// Largest header section (all field lines); larger -> 431.
    public var maxHeaderBytes: Int
    /// Most header fields; more -> 431.
    public var maxHeaderCount: Int

    public init(maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 16384, maxHeaderCount: Int = 100) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
    }
}
