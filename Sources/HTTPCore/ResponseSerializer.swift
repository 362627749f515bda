/// Turns a response into HTTP/1.1 wire bytes (RFC 9112 §4-§6). Pure: the caller passes the
/// `Date` value and the connection decision, so tests see exactly what the server sends.
public enum ResponseSerializer {
    /// - Parameters:
    ///   - requestMethod: `HEAD` keeps `Content-Length` but sends no body (RFC 9110 §9.3.2).
    ///   - requestVersion: an HTTP/1.0 client needs `Connection: keep-alive` to keep the
    ///     connection open (RFC 9112 §9.3).
    ///   - keepAlive: false adds `Connection: close`.
    ///   - date: an IMF-fixdate (RFC 9110 §5.6.7), cached by the caller per second.
    public static func serialize(_ response: HTTPResponse, requestMethod: HTTPMethod,
                                 requestVersion: HTTPVersion, keepAlive: Bool, date: String) -> [UInt8] {
        let code = response.status.code
        // 1xx, 204 and 304 never carry content (RFC 9110 §6.4.1).
        let bodyless = code < 200 || code == 204 || code == 304
        let sendsBody = !bodyless && requestMethod != .head
        var out: [UInt8] = []
        out.reserveCapacity(128 + response.headers.count * 40 + (sendsBody ? response.body.count : 0))
        append(&out, "HTTP/1.1 ")
        appendDecimal(&out, code)
        out.append(UInt8(ascii: " "))
        append(&out, response.status.reasonPhrase)
        appendCRLF(&out)
        for field in response.headers.fields where !isServerOwned(field.name) {
            append(&out, field.name)
            append(&out, ": ")
            append(&out, field.value)
            appendCRLF(&out)
        }
        append(&out, "Date: ")
        append(&out, date)
        appendCRLF(&out)
        if !bodyless {
            append(&out, "Content-Length: ")
            appendDecimal(&out, response.body.count)
            appendCRLF(&out)
        }
        if !keepAlive {
            append(&out, "Connection: close\r\n")
        } else if requestVersion == .http1_0 {
            append(&out, "Connection: keep-alive\r\n")
        }
        appendCRLF(&out)
        if sendsBody { out.append(contentsOf: response.body) }
        return out
    }

    /// The fields the server writes itself: framing and connection management. Sorted out
    /// by length first, so most names cost one length and no comparison (a response through
    /// the full chain has ten fields, and four comparisons each were 1.2k instructions).
    static func isServerOwned(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: name.asciiCaseInsensitiveEquals("Date")
        case 10: name.asciiCaseInsensitiveEquals("Connection")
        case 14: name.asciiCaseInsensitiveEquals("Content-Length")
        case 17: name.asciiCaseInsensitiveEquals("Transfer-Encoding")
        default: false
        }
    }

    /// The interim response sent before reading a body announced with `Expect: 100-continue`.
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// From the string's own bytes when it has them: `append(contentsOf: text.utf8)` walks
    /// the view generically, and a response head appends some thirty strings.
    @inline(__always)
    static func append(_ out: inout [UInt8], _ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { out.append(contentsOf: $0) }
        if copied == nil { out.append(contentsOf: text.utf8) }
    }

    @inline(__always)
    static func appendCRLF(_ out: inout [UInt8]) {
        out.append(13)
        out.append(10)
    }

    static func appendDecimal(_ out: inout [UInt8], _ value: Int) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value.magnitude
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            if value < 0 { out.append(UInt8(ascii: "-")) }
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }
}
