/// PostgreSQL's text form of one-dimensional arrays: `{1,2,NULL}`, `{"a b","c\"d"}`.
enum ArrayText {
    /// Every element is quoted, so commas, braces, spaces and the word NULL inside values
    /// need no special cases; only `"` and `\` are escaped.
    static func format(_ elements: [String?]) -> String {
        var text = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            guard let element else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }

    /// Splits an array literal into its elements (`nil` for NULL). Returns `nil` for text that
    /// is not a one-dimensional array literal (multi-dimensional arrays are not supported).
    static func parse(_ text: String) -> [String?]? {
        var bytes = Substring(text).utf8[...]
        // Arrays with non-default bounds print them first: `[0:2]={1,2,3}`.
        if bytes.first == UInt8(ascii: "[") {
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            bytes = bytes[bytes.index(after: equals)...]
        }
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        let body = Array(bytes.dropFirst().dropLast())
        if body.isEmpty { return [] }

        var elements: [String?] = []
        var current: [UInt8] = []
        var quoted = false, wasQuoted = false, escaped = false
        for byte in body {
            if escaped {
                current.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                quoted.toggle()
                wasQuoted = true
            } else if byte == UInt8(ascii: ","), !quoted {
                elements.append(element(current, wasQuoted: wasQuoted))
                current.removeAll(keepingCapacity: true)
                wasQuoted = false
            } else if byte == UInt8(ascii: "{"), !quoted {
                return nil
            } else {
                current.append(byte)
            }
        }
        guard !quoted, !escaped else { return nil }
        elements.append(element(current, wasQuoted: wasQuoted))
        return elements
    }

    private static func element(_ bytes: [UInt8], wasQuoted: Bool) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        // Only an unquoted NULL is NULL; "NULL" in quotes is the four-letter string.
        if !wasQuoted, text.uppercased() == "NULL" { return nil }
        return text
    }
}
