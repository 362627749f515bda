/// `method SP request-target SP HTTP-version` (RFC 9112 §3).
struct RequestLine {
    let method: HTTPMethod
    let target: String
    let version: HTTPVersion

    static func parse(_ line: UnsafeRawBufferPointer) -> Result<RequestLine, HTTPParseError> {
        var index = 0
        while index < line.count && HTTPBytes.isTokenByte[Int(line[index])] { index += 1 }
        guard index > 0, index < line.count, line[index] == HTTPBytes.space else {
            return .failure(HTTPParseError(.badRequest, "invalid method token"))
        }
        let method = HTTPMethod(String(decoding: UnsafeRawBufferPointer(rebasing: line[0..<index]), as: UTF8.self))
        let targetStart = index + 1
        var targetEnd = targetStart
        while targetEnd < line.count && line[targetEnd] != HTTPBytes.space {
            let byte = line[targetEnd]
            // Visible ASCII only, and no fragment: it is never sent (RFC 9112 §3.2).
            guard byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "#") else {
                return .failure(HTTPParseError(.badRequest, "invalid character in request target"))
            }
            if byte == UInt8(ascii: "%") {
                guard targetEnd + 2 < line.count, HTTPBytes.isHexDigit(line[targetEnd + 1]),
                      HTTPBytes.isHexDigit(line[targetEnd + 2]) else {
                    return .failure(HTTPParseError(.badRequest, "malformed percent-encoding in request target"))
                }
            }
            targetEnd += 1
        }
        guard targetEnd > targetStart, targetEnd < line.count else {
            return .failure(HTTPParseError(.badRequest, "malformed request line"))
        }
        let versionBytes = UnsafeRawBufferPointer(rebasing: line[(targetEnd + 1)...])
        switch parseVersion(versionBytes) {
        case .failure(let error):
            return .failure(error)
        case .success(let version):
            let raw = String(decoding: UnsafeRawBufferPointer(rebasing: line[targetStart..<targetEnd]), as: UTF8.self)
            switch normalizeTarget(raw, method: method) {
            case .failure(let error): return .failure(error)
            case .success(let target): return .success(RequestLine(method: method, target: target, version: version))
            }
        }
    }

    /// Refuses a request line whose method is already wrong before the line is complete,
    /// so garbage is answered at once instead of after the line limit fills.
    static func invalidMethodPrefix(_ partial: UnsafeRawBufferPointer) -> HTTPParseError? {
        for byte in partial {
            if byte == HTTPBytes.space || byte == HTTPBytes.cr { return nil }
            if !HTTPBytes.isTokenByte[Int(byte)] { return HTTPParseError(.badRequest, "invalid method token") }
        }
        return nil
    }

    /// `HTTP/` DIGIT `.` DIGIT. Major 1 is served (1.x above 1.1 as 1.1, RFC 9110 §2.5);
    /// any other major is 505.
    static func parseVersion(_ bytes: UnsafeRawBufferPointer) -> Result<HTTPVersion, HTTPParseError> {
        let prefix = Array("HTTP/".utf8)
        guard bytes.count == 8, Array(bytes[0..<5]) == prefix, bytes[6] == UInt8(ascii: "."),
              (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[5]),
              (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[7]) else {
            return .failure(HTTPParseError(.badRequest, "malformed HTTP version"))
        }
        let major = Int(bytes[5] - UInt8(ascii: "0"))
        let minor = Int(bytes[7] - UInt8(ascii: "0"))
        guard major == 1 else {
            return .failure(HTTPParseError(.httpVersionNotSupported, "HTTP/\(major).\(minor) is not supported"))
        }
        return .success(minor == 0 ? .http1_0 : .http1_1)
    }

    /// origin-form as is; absolute-form reduced to its path and query (RFC 9112 §3.2.2
    /// says servers must accept it); `*` only for OPTIONS; authority-form (CONNECT) refused.
    static func normalizeTarget(_ target: String, method: HTTPMethod) -> Result<String, HTTPParseError> {
        if target.hasPrefix("/") { return .success(target) }
        if target == "*" {
            return method == .options ? .success(target) : .failure(HTTPParseError(.badRequest, "asterisk-form target is only for OPTIONS"))
        }
        let lower = target.lowercased()
        for scheme in ["http://", "https://"] where lower.hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return .success("/") }
            guard rest.startIndex < slash else { return .failure(HTTPParseError(.badRequest, "absolute-form target without a host")) }
            let pathAndQuery = String(rest[slash...])
            return .success(pathAndQuery.hasPrefix("?") ? "/" + pathAndQuery : pathAndQuery)
        }
        return .failure(HTTPParseError(.badRequest, "unsupported request-target form"))
    }
}
