import HTTPCore

/// API.md, Conventions: under `/api/v1` an `Accept` that excludes JSON is 406, and a body
/// whose `Content-Type` is not JSON (or merge-patch JSON for PATCH) is 415.
struct ContentNegotiationMiddleware: SynchronousLink {
    func before(_ request: Request, context: inout RequestContext) throws -> HTTPResponse? {
        guard ContentNegotiationMiddleware.negotiates(context.routeTemplate) else { return nil }
        if let accept = request.headers["Accept"], !MediaRange.accepts(accept, type: "application", subtype: "json") {
            throw AppError(.notAcceptable, "This endpoint only produces application/json")
        }
        if !request.body.isEmpty {
            let allowed = request.method == .patch
                ? ["application/json", "application/merge-patch+json"] : ["application/json"]
            let given = request.headers["Content-Type"].map(MediaRange.essence) ?? ""
            guard allowed.contains(given) else {
                throw AppError(.unsupportedMediaType, "Content-Type must be \(allowed.joined(separator: " or "))")
            }
        }
        return nil
    }

    func runs(on route: RouteFacts) -> Bool { ContentNegotiationMiddleware.negotiates(route.template) }

    private static func negotiates(_ template: String) -> Bool { template.hasPrefix("/api/") }
}

/// Just enough of RFC 9110 §12.5.1 media-range matching to answer "is JSON acceptable".
enum MediaRange {
    /// `type/subtype` lowercased, parameters dropped.
    static func essence(_ value: String) -> String {
        let main = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return main.trimmingSpaces.lowercased()
    }

    static func accepts(_ header: String, type: String, subtype: String) -> Bool {
        let ranges = header.split(separator: ",")
        if ranges.isEmpty { return true }
        for range in ranges {
            let parts = range.split(separator: ";").map { String($0).trimmingSpaces.lowercased() }
            guard let media = parts.first else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            guard quality > 0 else { continue }
            if media == "*/*" || media == "\(type)/*" || media == "\(type)/\(subtype)" { return true }
        }
        return false
    }
}
