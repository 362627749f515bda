import HTTPCore

/// A request as controllers see it: the HTTP request plus what routing found.
public struct Request: Sendable {
    public let http: HTTPRequest
    /// Values of the route template's `{name}` segments, percent-decoded.
    public var pathParameters: [String: String]

    /// Query parameters, percent-decoded; the first value wins for repeated names. Parsed
    /// once here: list endpoints read them several times (filters, page, links).
    public let query: [String: String]
    /// Names whose value is not valid percent-encoded UTF-8 (they are not in `query`);
    /// `FieldReader` reports them as soon as an endpoint reads the query.
    public let malformedQueryNames: [String]

    public init(http: HTTPRequest, pathParameters: [String: String] = [:]) {
        self.http = http
        self.pathParameters = pathParameters
        (query, malformedQueryNames) = Request.parseQuery(http.head.query)
    }

    public var method: HTTPMethod { http.head.method }
    public var headers: HTTPHeaders { http.head.headers }
    public var body: [UInt8] { http.body }
    public var path: Substring { http.head.path }

    static func parseQuery(_ query: Substring?) -> (values: [String: String], malformed: [String]) {
        guard let raw = query, !raw.isEmpty else { return ([:], []) }
        var result: [String: String] = [:]
        var malformed: [String] = []
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // A name that cannot be decoded names nothing this server reads.
            guard let name = PercentDecoding.decode(parts[0], plusIsSpace: true) else { continue }
            let value = parts.count > 1 ? PercentDecoding.decode(parts[1], plusIsSpace: true) : ""
            guard result[name] == nil, !malformed.contains(name) else { continue }
            if let value { result[name] = value } else { malformed.append(name) }
        }
        return (result, malformed)
    }
}

/// What a request carries down the middleware chain. A value type: a link that learns
/// something (the request id, later the principal) passes an enriched copy to `next`.
public struct RequestContext: Sendable {
    public var requestID: String
    /// The matched route template (`/api/v1/products/{id}`), or a fixed label for 404s,
    /// so logs and metrics never see raw, unbounded paths.
    public var routeTemplate: String
    /// Who may call the matched route (`.anyone` for 404, 405 and OPTIONS).
    public var routeAccess: RouteAccess
    /// The matched route's `Route.id`; nil for 404, 405 and OPTIONS.
    var routeID: Int?
    public var clientIP: String
    /// When the chain began, in `MonotonicClock` nanoseconds.
    public var startedAt: Int64
    /// Set by the auth link once credentials are verified.
    public var principal: Principal?
    /// The verified credentials (or why they failed), when the rate-limit link needed the
    /// caller before the auth link ran; the auth link then does not verify them again.
    var identification: Result<Principal?, any Error>?
    /// Set by the trace-context link: the W3C trace this request belongs to.
    public var trace: TraceContext?
    /// The route's handler, which the composed chain calls after its last link.
    var endpoint: Next?

    public init(requestID: String = "", routeTemplate: String, routeAccess: RouteAccess = .anyone,
                clientIP: String, startedAt: Int64 = MonotonicClock().nanoseconds(), principal: Principal? = nil) {
        self.requestID = requestID
        self.routeTemplate = routeTemplate
        self.routeAccess = routeAccess
        self.clientIP = clientIP
        self.startedAt = startedAt
        self.principal = principal
    }
}

enum PercentDecoding {
    /// Nil for malformed escapes or bytes that are not UTF-8.
    static func decode(_ text: Substring, plusIsSpace: Bool) -> String? {
        if !text.utf8.contains(UInt8(ascii: "%")) && !(plusIsSpace && text.utf8.contains(UInt8(ascii: "+"))) {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
