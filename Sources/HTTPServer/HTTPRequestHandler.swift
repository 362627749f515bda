import HTTPCore

/// What the server calls for every request. The server knows nothing of the application:
/// it hands over whole requests and writes back whatever comes out.
public protocol HTTPRequestHandler: Sendable {
    /// Answers one request. Runs on the task executor of the connection's event loop, so a
    /// handler that never suspends costs no thread hop; anything slow must `await`.
    nonisolated(nonsending) func handle(_ request: HTTPRequest) async throws -> HTTPResponse

    /// The response for a request the server rejected before the handler saw it (a parse
    /// error, a body over the limit, a header timeout). Lets the application keep its error
    /// format and headers on these too. The connection is closed after it.
    func response(for error: HTTPParseError, remoteAddress: String) -> HTTPResponse
}

extension HTTPRequestHandler {
    public func response(for error: HTTPParseError, remoteAddress: String) -> HTTPResponse {
        HTTPResponse(status: error.status, headers: HTTPHeaders([("Content-Type", "text/plain")]),
                     body: Array(error.reason.utf8))
    }
}

/// Where the server reports its own events (start, stop, socket failures). The app turns
/// them into its structured log lines.
public protocol HTTPServerLogger: Sendable {
    func serverEvent(_ level: HTTPServerLogLevel, _ message: String, _ metadata: [String: String])
}

public enum HTTPServerLogLevel: String, Sendable {
    case debug, info, warning, error
}
