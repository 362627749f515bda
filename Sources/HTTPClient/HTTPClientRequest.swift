import HTTPCore

/// One outbound request: an absolute `http://` or `https://` URL, extra headers and a body.
/// The client adds `Host`, `Content-Length` and `Connection: close` itself.
public struct HTTPClientRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: HTTPMethod = .get, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A final (non-1xx) response with its whole body. Redirects are not followed: a 3xx is a
/// response like any other.
public struct HTTPClientResponse: Sendable, Equatable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The parts of an absolute http(s) URL the client needs (RFC 3986 §3, RFC 9110 §4.2).
/// Strict: no credentials, a host, a port in 1-65535; the fragment is never sent.
public struct HTTPClientURL: Sendable, Equatable {
    public let isTLS: Bool
    /// A DNS name (lowercased) or an IP literal without brackets.
    public let host: String
    public let port: UInt16
    /// Origin-form: path and query.
    public let target: String

    public init(_ text: String) throws(HTTPClientError) {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            isTLS = true
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            isTLS = false
            rest = text.dropFirst(7)
        } else {
            throw .invalidRequest("URL is not absolute http:// or https://")
        }
        let withoutFragment = rest.prefix { $0 != "#" }
        let authorityEnd = withoutFragment.firstIndex { $0 == "/" || $0 == "?" } ?? withoutFragment.endIndex
        let authority = withoutFragment[..<authorityEnd]
        let path = withoutFragment[authorityEnd...]
        guard !authority.contains("@") else { throw .invalidRequest("URL carries credentials") }
        var hostPart = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidRequest("unterminated IPv6 literal") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidRequest("junk after IPv6 literal") }
                portText = after.dropFirst()
            }
            guard IPAddress(String(hostPart))?.isV6 == true else { throw .invalidRequest("invalid IPv6 literal") }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        let hostBytes = Array(hostPart.utf8)
        let hostByteSet = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:".utf8)
        guard !hostBytes.isEmpty, hostBytes.count <= 253, hostBytes.allSatisfy(hostByteSet.contains) else {
            throw .invalidRequest("invalid host")
        }
        host = String(hostPart).lowercased()
        let defaultPort: UInt16 = isTLS ? 443 : 80
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCII),
                  let value = UInt16(portText), value > 0 else { throw .invalidRequest("invalid port") }
            port = value
        } else {
            port = defaultPort
        }
        let origin = path.isEmpty ? "/" : path.hasPrefix("?") ? "/" + path : String(path)
        guard origin.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidRequest("URL path has characters that are not percent-encoded")
        }
        target = origin
    }

    /// The `Host` field value (RFC 9110 §7.2): brackets around IPv6, the port unless default.
    public var hostField: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (isTLS ? 443 : 80) ? name : "\(name):\(port)"
    }
}
