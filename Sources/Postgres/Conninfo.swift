import CLibPQ

/// Reads a libpq connection string (URL or key=value) with libpq's own parser, to mask its
/// password for display, scrub it from messages, and rewrite it for another database.
struct Conninfo: Sendable {
    /// Keyword/value pairs explicitly present in the string, in libpq's order.
    let options: [(keyword: String, value: String)]
    /// Text that must never appear in a message: the password as parsed and as written
    /// (a URL may percent-encode it).
    let secrets: [String]

    /// `nil` when libpq cannot parse the string. libpq's own parse error is not kept: it
    /// quotes the offending part of the string, which may be the password.
    init?(_ conninfo: String) {
        var error: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(conninfo, &error) else {
            if let error { PQfreemem(error) }
            return nil
        }
        defer { PQconninfoFree(parsed) }
        var options: [(String, String)] = []
        var option = parsed
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                options.append((String(cString: keyword), String(cString: value)))
            }
            option += 1
        }
        self.options = options
        var secrets = options.filter { $0.0 == "password" }.map(\.1).filter { !$0.isEmpty }
        if let written = Self.urlPassword(conninfo), !secrets.contains(written) {
            secrets.append(written)
        }
        self.secrets = secrets
    }

    /// The string in key=value form with the password shown as `********`.
    var redacted: String {
        render(options.map { ($0.keyword, $0.keyword == "password" ? "********" : $0.value) })
    }

    /// The same connection with another `dbname`, in key=value form.
    func replacingDatabase(with database: String) -> String {
        render(options.filter { $0.keyword != "dbname" } + [("dbname", database)])
    }

    /// Replaces every occurrence of a secret in a libpq message.
    func scrub(_ message: String) -> String {
        secrets.reduce(message) { $0.replacing($1, with: "********") }
    }

    /// Values quoted as libpq's parser expects: `'...'` with `\` and `'` escaped.
    private func render(_ pairs: [(String, String)]) -> String {
        pairs.map { keyword, value in
            var quoted = "'"
            for character in value {
                if character == "'" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            return keyword + "=" + quoted + "'"
        }.joined(separator: " ")
    }

    /// The password as written in `postgres://user:password@host/...`, still percent-encoded.
    private static func urlPassword(_ conninfo: String) -> String? {
        guard conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://"),
              let schemeEnd = conninfo.firstRange(of: "://") else { return nil }
        let rest = conninfo[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@"),
              let colon = authority[..<at].firstIndex(of: ":") else { return nil }
        let password = String(authority[authority.index(after: colon)..<at])
        return password.isEmpty ? nil : password
    }
}
