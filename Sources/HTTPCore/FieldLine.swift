/// Byte classes of RFC 9110 §5.6.2 and §5.5, and the field-line rule shared by the header
/// section and chunked trailers.
enum HTTPBytes {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let space: UInt8 = 32
    static let tab: UInt8 = 9

    /// tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    static let isTokenByte: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for byte in "!#$%&'*+-.^_`|~".utf8 { table[Int(byte)] = true }
        return table
    }()

    /// field-vchar = VCHAR / obs-text, plus SP and HTAB inside a value.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    @inline(__always)
    static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 70) || (byte >= 97 && byte <= 102)
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Parses `name ":" OWS value OWS` (RFC 9112 §5). `line` excludes the CRLF.
    static func parseFieldLine(_ line: UnsafeRawBufferPointer) -> Result<HTTPHeaders.Field, HTTPParseError> {
        guard let first = line.first else { return .failure(HTTPParseError(.badRequest, "empty header field line")) }
        // RFC 9112 §5.2: obs-fold is rejected.
        if isWhitespace(first) { return .failure(HTTPParseError(.badRequest, "obsolete line folding in header field")) }
        var colon = 0
        while colon < line.count && line[colon] != UInt8(ascii: ":") {
            let byte = line[colon]
            if !isTokenByte[Int(byte)] {
                // RFC 9112 §5.1: no whitespace between field name and colon.
                if isWhitespace(byte) { return .failure(HTTPParseError(.badRequest, "whitespace before colon in header field")) }
                return .failure(HTTPParseError(.badRequest, "invalid character in header field name"))
            }
            colon += 1
        }
        guard colon < line.count else { return .failure(HTTPParseError(.badRequest, "header field without a colon")) }
        guard colon > 0 else { return .failure(HTTPParseError(.badRequest, "empty header field name")) }
        var valueStart = colon + 1
        var valueEnd = line.count
        while valueStart < valueEnd && isWhitespace(line[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart && isWhitespace(line[valueEnd - 1]) { valueEnd -= 1 }
        for index in valueStart..<valueEnd where !isFieldValueByte(line[index]) {
            return .failure(HTTPParseError(.badRequest, "control character in header field value"))
        }
        let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<colon]), as: UTF8.self)
        let value = decodeValue(UnsafeRawBufferPointer(rebasing: line[valueStart..<valueEnd]))
        return .success(HTTPHeaders.Field(name: name, value: value))
    }

    /// Values are UTF-8 when they are valid UTF-8; otherwise obs-text bytes are taken as
    /// ISO-8859-1 (RFC 9110 §5.5), so no byte is silently replaced.
    static func decodeValue(_ bytes: UnsafeRawBufferPointer) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
