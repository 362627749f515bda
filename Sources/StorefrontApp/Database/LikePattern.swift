/// LIKE patterns made from client text, so a search is a substring search and never a
/// pattern the client wrote (GET /users and GET /products `q`).
enum LikePattern {
    /// `%text%`, with the text escaped: it matches wherever `text` occurs, literally.
    static func containing(_ text: String) -> String { "%" + escape(text) + "%" }

    /// LIKE's wildcards and the escape are escaped by backslash, LIKE's default escape. Per
    /// Unicode scalar, as PostgreSQL reads the pattern: per Character, `%` followed by a
    /// combining mark is one grapheme that is not `%`, and would stay a wildcard.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\\" || scalar == "%" || scalar == "_" { out.append("\\") }
            out.append(scalar)
        }
        return String(out)
    }
}
