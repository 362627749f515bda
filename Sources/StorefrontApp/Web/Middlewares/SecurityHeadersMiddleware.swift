import HTTPCore

/// Adds the headers API.md requires on every response, and `Cache-Control: no-store` on
/// answers to requests that carried credentials unless a handler chose otherwise.
struct SecurityHeadersMiddleware: SynchronousLink {
    /// Added in one append: one capacity check instead of one per field.
    private static let fields = [
        HTTPHeaders.Field(name: "X-Content-Type-Options", value: "nosniff"),
        HTTPHeaders.Field(name: "X-Frame-Options", value: "DENY"),
        HTTPHeaders.Field(name: "Referrer-Policy", value: "no-referrer"),
        HTTPHeaders.Field(name: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'"),
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

    static func apply(to response: inout HTTPResponse) {
        response.headers.add(contentsOf: fields)
    }
}
