/// Checks that need the whole header section: Host, message framing, connection
/// persistence and expectations (RFC 9112 §3.2, §6, §9.3; RFC 9110 §10.1.1).
enum HeadSemantics {
    static func interpret(line: RequestLine, headers: HTTPHeaders) -> Result<HTTPRequestHead, HTTPParseError> {
        var hostCount = 0
        var hostValue = ""
        var contentLengths: [String] = []
        var transferCodings: [String] = []
        var sawTransferEncoding = false
        var connectionTokens: [String] = []
        var expectations: [String] = []
        for field in headers.fields {
            let name = field.name
            if name.asciiCaseInsensitiveEquals("Host") {
                hostCount += 1
                hostValue = field.value
            } else if name.asciiCaseInsensitiveEquals("Content-Length") {
                contentLengths.append(field.value)
            } else if name.asciiCaseInsensitiveEquals("Transfer-Encoding") {
                sawTransferEncoding = true
                transferCodings += tokens(field.value)
            } else if name.asciiCaseInsensitiveEquals("Connection") {
                connectionTokens += tokens(field.value)
            } else if name.asciiCaseInsensitiveEquals("Expect") {
                expectations.append(field.value)
            }
        }
        // RFC 9112 §3.2: exactly one Host in HTTP/1.1; never more than one.
        if hostCount > 1 { return .failure(HTTPParseError(.badRequest, "duplicate Host header")) }
        if hostCount == 0 && line.version == .http1_1 {
            return .failure(HTTPParseError(.badRequest, "missing Host header"))
        }
        if hostCount == 1 && !HostValue.isValid(hostValue) {
            return .failure(HTTPParseError(.badRequest, "invalid Host header"))
        }

        var framing = BodyFraming.none
        if sawTransferEncoding {
            // RFC 9112 §6.1: both headers is a smuggling attempt or a broken client.
            if !contentLengths.isEmpty {
                return .failure(HTTPParseError(.badRequest, "both Transfer-Encoding and Content-Length"))
            }
            if line.version == .http1_0 {
                return .failure(HTTPParseError(.badRequest, "Transfer-Encoding in an HTTP/1.0 request"))
            }
            if transferCodings.isEmpty {
                return .failure(HTTPParseError(.badRequest, "empty Transfer-Encoding"))
            }
            // RFC 9112 §6.3: without chunked last the body length is unknowable (400);
            // chunked last after another coding is a coding we do not implement (501).
            if transferCodings.last != "chunked" {
                return .failure(HTTPParseError(.badRequest, "chunked is not the final transfer coding"))
            }
            if let other = transferCodings.first(where: { $0 != "chunked" }) {
                return .failure(HTTPParseError(.notImplemented, "transfer coding '\(other)' is not supported"))
            }
            if transferCodings.count > 1 {
                return .failure(HTTPParseError(.badRequest, "chunked applied more than once"))
            }
            framing = .chunked
        } else if !contentLengths.isEmpty {
            if contentLengths.count > 1 {
                return .failure(HTTPParseError(.badRequest, "duplicate Content-Length"))
            }
            guard let length = parseContentLength(contentLengths[0]) else {
                return .failure(HTTPParseError(.badRequest, "malformed Content-Length"))
            }
            framing = .contentLength(length)
        }

        let keepAlive: Bool
        if connectionTokens.contains("close") {
            keepAlive = false
        } else if line.version == .http1_0 {
            keepAlive = connectionTokens.contains("keep-alive")
        } else {
            keepAlive = true
        }

        var expectsContinue = false
        for expectation in expectations {
            guard expectation.lowercased() == "100-continue" else {
                return .failure(HTTPParseError(.expectationFailed, "unsupported expectation"))
            }
            // RFC 9110 §10.1.1: an HTTP/1.0 request's 100-continue is ignored.
            expectsContinue = line.version != .http1_0
        }

        return .success(HTTPRequestHead(method: line.method, target: line.target, version: line.version,
                                        headers: headers, framing: framing, keepAlive: keepAlive,
                                        expectsContinue: expectsContinue))
    }

    /// A comma-separated list, lowercased, empty elements dropped (RFC 9110 §5.6.1).
    static func tokens(_ value: String) -> [String] {
        value.split(separator: ",").map { part in
            part.trimmingCharacters(where: { $0 == " " || $0 == "\t" }).lowercased()
        }.filter { !$0.isEmpty }
    }

    /// `1*DIGIT` only: no sign, no spaces, no lists, no overflow (RFC 9110 §8.6).
    static func parseContentLength(_ value: String) -> Int? {
        let digits = value.utf8
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        // Overflow is nil; a huge but valid length is the body limit's business (413).
        return Int(value)
    }
}

extension Substring {
    func trimmingCharacters(where isTrimmed: (Character) -> Bool) -> String {
        var slice = self
        while let first = slice.first, isTrimmed(first) { slice = slice.dropFirst() }
        while let last = slice.last, isTrimmed(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

/// `Host = uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2): a reg-name or a
/// bracketed IP literal, an optional all-digit port. An empty value is allowed.
enum HostValue {
    private static let regNameBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%!$&'()*+,;=".utf8)
    private static let literalBytes = Set("0123456789abcdefABCDEF:.vV".utf8)

    static func isValid(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        if bytes.isEmpty { return true }
        var hostEnd = bytes.count
        if bytes[0] == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 1,
                  bytes[1..<close].allSatisfy(literalBytes.contains) else { return false }
            hostEnd = close + 1
            guard hostEnd == bytes.count || bytes[hostEnd] == UInt8(ascii: ":") else { return false }
        } else {
            hostEnd = bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.count
            guard hostEnd > 0, bytes[0..<hostEnd].allSatisfy(regNameBytes.contains) else { return false }
        }
        guard hostEnd < bytes.count else { return true }
        let port = bytes[(hostEnd + 1)...]
        return port.count <= 5 && port.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
