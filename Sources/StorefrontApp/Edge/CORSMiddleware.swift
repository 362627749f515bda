import HTTPCore

/// Which browser origins may call the API (`CORS_ORIGINS`): a list of exact origins, or
/// `*` for any. With a list, answers depend on the `Origin` header, so they say so in
/// `Vary`, and credentials are allowed; with `*` they are not (Fetch §3.2.5: a wildcard
/// never goes with credentials).
struct CORSPolicy: Sendable, Equatable {
    enum Origins: Sendable, Equatable {
        case any
        case only(Set<String>)
    }

    let origins: Origins

    /// Nil when the list is empty (CORS off). Origins compare in lower case, the way
    /// browsers serialize them.
    init?(origins list: [String]) {
        guard !list.isEmpty else { return nil }
        origins = list.contains("*") ? .any : .only(Set(list.map { $0.lowercased() }))
    }

    /// `CORS_ORIGINS` items must be `*` or `scheme://host[:port]`, which is all an `Origin`
    /// header ever holds (RFC 6454 §6.1); anything else would silently never match.
    static func validate(_ list: [String]) throws(ConfigurationError) -> [String] {
        for item in list where item != "*" && !isOrigin(item) {
            throw ConfigurationError("CORS_ORIGINS", "'\(item)' is not an origin like https://shop.example.com")
        }
        return list
    }

    private static func isOrigin(_ text: String) -> Bool {
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, ["http", "https"].contains(parts[0].lowercased()) else { return false }
        let authority = parts[1]
        let hostAllowed = authority.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
        }
        return !authority.isEmpty && hostAllowed && !authority.hasPrefix(":")
    }

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`, nil when refused.
    func allowedOrigin(_ origin: String) -> String? {
        switch origins {
        case .any: "*"
        case .only(let allowed): allowed.contains(origin.lowercased()) ? origin : nil
        }
    }

    var variesByOrigin: Bool { origins != .any }
}

/// The CORS link: answers preflights itself, before the router's handler, rate limiting
/// and auth run (a preflight never carries credentials: Fetch §4.8), and
/// adds the CORS fields to every other answer for an allowed origin — errors included,
/// since it sits outside the error link. Refused origins get no CORS fields at all.
struct CORSMiddleware: SynchronousLink {
    let policy: CORSPolicy

    static let allowMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
    static let allowHeaders = "Authorization, Content-Type, X-API-Key, Idempotency-Key, If-Match, If-None-Match, X-Request-Id"
    /// What a script may read from an answer: the request id, both rate-limit families,
    /// and what conditional requests, creation and paging need.
    static let exposeHeaders = "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, "
        + "RateLimit-Policy, RateLimit, Retry-After, ETag, Location, Link, Idempotent-Replayed, WWW-Authenticate"
    /// Ten minutes: browsers cap it anyway (Chromium at 2 h), and a changed policy takes
    /// effect soon.
    static let maxAgeSeconds = 600

    /// Preflights are answered here, before anything costly runs.
    func before(_ request: Request, context: inout RequestContext) throws -> HTTPResponse? {
        guard let origin = request.headers["Origin"], let allowed = policy.allowedOrigin(origin),
              request.method == .options && request.headers.contains("Access-Control-Request-Method") else { return nil }
        var response = HTTPResponse(status: .noContent)
        addOriginFields(&response, allowed: allowed)
        response.headers.add("Access-Control-Allow-Methods", CORSMiddleware.allowMethods)
        response.headers.add("Access-Control-Allow-Headers", CORSMiddleware.allowHeaders)
        response.headers.add("Access-Control-Max-Age", String(CORSMiddleware.maxAgeSeconds))
        return response
    }

    func after(_ request: Request, context: RequestContext, outcome: inout LinkOutcome) {
        let allowed = request.headers["Origin"].flatMap(policy.allowedOrigin)
        outcome.updateResponse { response in
            if let allowed {
                addOriginFields(&response, allowed: allowed)
                response.headers.add("Access-Control-Expose-Headers", CORSMiddleware.exposeHeaders)
            } else {
                varyIfNeeded(&response)
            }
        }
    }

    private func addOriginFields(_ response: inout HTTPResponse, allowed: String) {
        response.headers.set("Access-Control-Allow-Origin", allowed)
        if policy.variesByOrigin { response.headers.add("Access-Control-Allow-Credentials", "true") }
        varyIfNeeded(&response)
    }

    /// A cache must not hand one origin's answer to another (Fetch §3.2.5, CORS and caching).
    private func varyIfNeeded(_ response: inout HTTPResponse) {
        if policy.variesByOrigin { response.headers.add("Vary", "Origin") }
    }
}
