import HTTPCore

/// gzip for responses over 1 KiB when `Accept-Encoding` allows it (API.md, Conditional
/// requests and caching), and `If-None-Match` for routes that send an ETag.
///
/// Never compressed: 1xx/204/304, HEAD, bodies of 1 KiB or less, types outside
/// `compressibleTypes` (images, archives and other already-compressed data), responses that
/// already have a `Content-Encoding`, and bodies gzip would not make smaller. Every
/// response that could be compressed says `Vary: Accept-Encoding`, in both variants.
struct CompressionMiddleware: SynchronousLink {
    /// A fixed limit, not configuration: below it, gzip's ~20-byte framing and the CPU
    /// outweigh what is saved, and typical responses (one resource, errors) fit in it.
    static let minimumBytes = 1024

    func after(_ request: Request, context: RequestContext, outcome: inout LinkOutcome) {
        outcome.updateResponse { CompressionMiddleware.encode(&$0, for: request) }
    }

    private static func encode(_ response: inout HTTPResponse, for request: Request) {
        let compressible = CompressionMiddleware.isCompressible(response)
        let gzip = compressible && request.method != .head
            && AcceptEncoding.prefersGzip(request.headers.values("Accept-Encoding"))
        if compressible { CompressionMiddleware.addVary(to: &response) }
        let conditional = response.status.code == 200 && (request.method == .get || request.method == .head)
        let conditions = conditional ? request.headers.values("If-None-Match") : []
        // Only a 304 or a gzip variant needs the tag: most answers skip the lookup.
        let etag = conditions.isEmpty && !gzip ? nil : response.headers["ETag"].flatMap(CompressionMiddleware.singleTag)
        if let etag, !conditions.isEmpty {
            // A malformed list matches nothing, so the request is answered in full.
            if EntityTagCondition.parse(conditions.joined(separator: ", "))?.weaklyMatches(etag) == true {
                // RFC 9110 §15.4.5: the 304 carries the validator and Vary the 200 would have.
                response.status = .notModified
                response.body = []
                if gzip { response.headers.set("ETag", etag.coded("gzip").headerValue) }
                return
            }
        }
        guard gzip, let compressed = Gzip.compress(response.body), compressed.count < response.body.count else {
            return
        }
        response.body = compressed
        response.headers.set("Content-Encoding", "gzip")
        // A strong tag names one representation (RFC 9110 §8.8.3): the gzip variant gets its own.
        if let etag { response.headers.set("ETag", etag.coded("gzip").headerValue) }
    }

    /// The response's `ETag` as one tag; nil when it is not one well-formed tag.
    private static func singleTag(_ value: String) -> EntityTag? {
        guard case .tags(let tags)? = EntityTagCondition.parse(value), tags.count == 1 else { return nil }
        return tags[0]
    }

    /// Textual types; everything else is assumed to be compressed already or not worth it.
    static func isCompressibleType(_ contentType: String) -> Bool {
        // What every JSON response carries, decided without splitting and lower-casing it:
        // that was 1.7% of a product list's CPU.
        if contentType == "application/json" { return true }
        let essence = MediaRange.essence(contentType)
        if essence.hasPrefix("text/") || essence.hasSuffix("+json") || essence.hasSuffix("+xml") { return true }
        return ["application/json", "application/yaml", "application/xml", "application/javascript"].contains(essence)
    }

    static func isCompressible(_ response: HTTPResponse) -> Bool {
        let code = response.status.code
        guard code >= 200, code != 204, code != 304, response.body.count > minimumBytes,
              !response.headers.contains("Content-Encoding"),
              let type = response.headers["Content-Type"] else { return false }
        return isCompressibleType(type)
    }

    private static func addVary(to response: inout HTTPResponse) {
        for value in response.headers.values("Vary") {
            for token in value.split(separator: ",") {
                let name = String(token).trimmingSpaces
                if name == "*" || name.asciiCaseInsensitiveEquals("Accept-Encoding") { return }
            }
        }
        response.headers.add("Vary", "Accept-Encoding")
    }
}
