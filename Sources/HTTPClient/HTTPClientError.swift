/// Why a request produced no response. A closed set, so that the webhook worker can map
/// each case to a delivery's `last_error` without reading messages. Reasons never carry
/// request headers or bodies (they may hold signatures).
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL or a header cannot be sent (not http(s), credentials, control characters).
    case invalidRequest(String)
    /// The name did not resolve (or the resolver is overloaded).
    case dns(String)
    /// The name resolves to (or is) an address the policy refuses: loopback, private,
    /// link-local, multicast, unspecified or reserved.
    case forbiddenAddress(String)
    /// Every address refused the connection.
    case refused
    /// Connect, TLS, request and response did not finish before the deadline.
    case timeout
    /// Handshake or certificate failure (expired, unknown issuer, wrong host, old protocol).
    case tls(String)
    /// The response cannot be trusted: bad status line, framing, truncation.
    case malformedResponse(String)
    /// The response head or body is over the client's limits.
    case tooLarge(String)
    /// The connection failed after it was established (reset, unreachable).
    case io(String)
    case cancelled
    /// The client was shut down.
    case shutDown

    public var description: String {
        switch self {
        case .invalidRequest(let reason): "invalid request: \(reason)"
        case .dns(let reason): "dns: \(reason)"
        case .forbiddenAddress(let address): "forbidden address: \(address)"
        case .refused: "connection refused"
        case .timeout: "timeout"
        case .tls(let reason): "tls: \(reason)"
        case .malformedResponse(let reason): "malformed response: \(reason)"
        case .tooLarge(let reason): "response too large: \(reason)"
        case .io(let reason): "i/o: \(reason)"
        case .cancelled: "cancelled"
        case .shutDown: "client shut down"
        }
    }
}
