import HTTPCore

/// Adds the headers API.md requires on every response, and `Cache-Control: no-store` on
/// answers to requests that carried credentials unless a handler chose otherwise.
struct SecurityHeadersMiddleware: SynchronousLink {
    static let headers: [(String, String)] = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ]

    func after(_ request: Request, context: RequestContext, outcome: inout LinkOutcome) {
        outcome.updateResponse { response in
            SecurityHeadersMiddleware.apply(to: &response)
            let credentialed = request.headers.contains("Authorization") || request.headers.contains("X-API-Key")
            if credentialed && !response.headers.contains("Cache-Control") {
                response.headers.add("Cache-Control", "no-store")
            }
        }
    }

    private static let fields = headers.map { HTTPHeaders.Field(name: $0.0, value: $0.1) }

    static func apply(to response: inout HTTPResponse) {
        response.headers.add(contentsOf: fields)
    }
}
