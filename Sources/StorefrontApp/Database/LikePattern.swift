/// LIKE patterns made from client text, so a search is a substring search and never a
/// pattern the client wrote: `%`, `_` and the escape itself are escaped.
enum LikePattern {
    /// `%text%` with LIKE's metacharacters escaped by backslash, LIKE's default escape.
    /// Per Unicode scalar, as PostgreSQL reads a pattern: per Character, `%` followed by a
    /// combining mark is one grapheme that is not `%`, and would stay a wildcard.
    static func containing(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("%")
        for scalar in text.unicodeScalars {
            if scalar == "\\" || scalar == "%" || scalar == "_" { out.append("\\") }
            out.append(scalar)
        }
        out.append("%")
        return String(out)
    }
}
