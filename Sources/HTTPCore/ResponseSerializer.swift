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
        let reason = response.status.reasonPhrase
        let connection: StaticString? = !keepAlive ? "Connection: close\r\n"
            : requestVersion == .http1_0 ? "Connection: keep-alive\r\n" : nil
        // Sized exactly first, then written once into memory of that size.
        var size = 9 + ByteCount.decimal(code) + 1 + reason.utf8.count + 2
        // Through a buffer pointer, so fields are not copied out one by one (`for field in
        // fields` retained and released both strings of each, in both loops).
        let fields = response.headers.fields
        fields.withUnsafeBufferPointer { fields in
            for index in fields.indices where !isServerOwned(fields[index].name) {
                size += fields[index].name.utf8.count + 2 + fields[index].value.utf8.count + 2
            }
        }
        size += 6 + date.utf8.count + 2
        if !bodyless { size += 16 + ByteCount.decimal(response.body.count) + 2 }
        if let connection { size += connection.utf8CodeUnitCount }
        size += 2 + (sendsBody ? response.body.count : 0)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var out = ByteWriter(buffer)
            out.write(literal: "HTTP/1.1 ")
            out.writeDecimal(code)
            out.write(UInt8(ascii: " "))
            out.write(reason)
            out.write(literal: "\r\n")
            fields.withUnsafeBufferPointer { fields in
                for index in fields.indices where !isServerOwned(fields[index].name) {
                    out.write(fields[index].name)
                    out.write(literal: ": ")
                    out.write(fields[index].value)
                    out.write(literal: "\r\n")
                }
            }
            out.write(literal: "Date: ")
            out.write(date)
            out.write(literal: "\r\n")
            if !bodyless {
                out.write(literal: "Content-Length: ")
                out.writeDecimal(response.body.count)
                out.write(literal: "\r\n")
            }
            if let connection { out.write(literal: connection) }
            out.write(literal: "\r\n")
            if sendsBody { out.write(response.body) }
            initialized = out.count
        }
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
}
