/// Turns an outbound request into HTTP/1.1 wire bytes (RFC 9112 §3, §6). Pure. The
/// serializer owns framing and connection management: it writes `Host`, `Content-Length`
/// and `Connection: close` itself and drops any the caller supplied, so a caller's header
/// can never change how the server splits the stream.
public enum RequestSerializer {
    private static let ownedFields = ["Host", "Content-Length", "Transfer-Encoding", "Connection"]

    /// Why these parts cannot be sent as they are, or nil when they can: a method that is
    /// not a token, a target that is not origin-form visible ASCII, a header name that is
    /// not a token or a value with CR, LF or another control character (header injection).
    public static func invalidPart(method: HTTPMethod, target: String, headers: HTTPHeaders) -> String? {
        let methodBytes = Array(method.rawValue.utf8)
        if methodBytes.isEmpty || !methodBytes.allSatisfy({ HTTPBytes.isTokenByte[Int($0)] }) {
            return "method is not a token"
        }
        let targetBytes = Array(target.utf8)
        if targetBytes.first != UInt8(ascii: "/") || !targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }) {
            return "request target is not an origin-form path"
        }
        for field in headers.fields {
            let name = Array(field.name.utf8)
            if name.isEmpty || !name.allSatisfy({ HTTPBytes.isTokenByte[Int($0)] }) {
                return "header name is not a token"
            }
            if !field.value.utf8.allSatisfy(HTTPBytes.isFieldValueByte) {
                return "control character in the value of header \(field.name)"
            }
        }
        return nil
    }

    /// `host` is the Host field value (with the port when it is not the scheme's default).
    /// Call `invalidPart` first: this function trusts its input.
    public static func serialize(method: HTTPMethod, target: String, host: String,
                                 headers: HTTPHeaders, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + headers.count * 40 + body.count)
        out += method.rawValue.utf8
        out.append(HTTPBytes.space)
        out += target.utf8
        out += " HTTP/1.1\r\nHost: ".utf8
        out += host.utf8
        out += "\r\n".utf8
        for field in headers.fields where !ownedFields.contains(where: field.name.asciiCaseInsensitiveEquals) {
            out += field.name.utf8
            out += ": ".utf8
            out += field.value.utf8
            out += "\r\n".utf8
        }
        // RFC 9110 §8.6: a body, or a method that defines one, states its length.
        if !body.isEmpty || method == .post || method == .put || method == .patch {
            out += "Content-Length: \(body.count)\r\n".utf8
        }
        // One request per connection: the response may then end at close, and no state
        // survives between deliveries to the same receiver.
        out += "Connection: close\r\n\r\n".utf8
        out += body
        return out
    }
}
