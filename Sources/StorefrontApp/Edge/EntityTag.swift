/// How ETags relate to content codings (docs/adr/0003-response-compression.md).
///
/// A strong ETag names one representation, byte for byte (RFC 9110 §8.8.3), so the gzip
/// variant cannot share the identity one's: it gets the same opaque tag with `-gzip`
/// appended inside the quotes. Comparisons strip the suffix, so `If-None-Match` with
/// either variant's tag gives 304 whichever variant the request would get. Weak tags
/// already mean "equivalent", and stay as they are.
enum EntityTag {
    static let gzipSuffix = "-gzip"

    /// `"abc"` -> `"abc-gzip"`; weak or malformed values unchanged.
    static func gzipVariant(of etag: String) -> String {
        guard etag.utf8.count >= 2, etag.hasPrefix("\""), etag.hasSuffix("\"") else { return etag }
        return String(etag.dropLast()) + gzipSuffix + "\""
    }

    /// Whether `If-None-Match` (its field values) matches `etag`: `*`, or any listed tag
    /// equal to it under the weak comparison of RFC 9110 §13.1.2, coding suffix stripped.
    /// A malformed list matches nothing, so the request is answered in full.
    static func noneMatchMatches(_ fields: [String], etag: String) -> Bool {
        guard let current = opaque(etag[...]) else { return false }
        for field in fields {
            var rest = field[...]
            while true {
                rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
                if rest.isEmpty { break }
                if rest.first == "*" { return true }
                if rest.hasPrefix("W/") { rest = rest.dropFirst(2) }
                guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") else { return false }
                let tag = rest[rest.startIndex...close]
                if opaque(tag) == current { return true }
                rest = rest[rest.index(after: close)...]
            }
        }
        return false
    }

    /// The tag between the quotes, `W/` and the coding suffix removed.
    private static func opaque(_ tag: Substring) -> Substring? {
        var tag = tag
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        guard tag.utf8.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") else { return nil }
        let inner = tag.dropFirst().dropLast()
        return inner.hasSuffix(gzipSuffix) ? inner.dropLast(gzipSuffix.count) : inner
    }
}
