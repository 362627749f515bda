#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A parsed status line and header section of a response.
public struct HTTPResponseHead: Sendable, Equatable {
    public var version: HTTPVersion
    public var status: HTTPStatus
    public var headers: HTTPHeaders

    public init(version: HTTPVersion, status: HTTPStatus, headers: HTTPHeaders) {
        self.version = version
        self.status = status
        self.headers = headers
    }
}

/// Why a response was refused: its framing cannot be trusted, or it is over a limit.
public struct ResponseParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case malformed
        case tooLarge
    }

    public let kind: Kind
    public let reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    static func malformed(_ reason: String) -> ResponseParseError { ResponseParseError(.malformed, reason) }
    static func tooLarge(_ reason: String) -> ResponseParseError { ResponseParseError(.tooLarge, reason) }

    public var description: String { reason }
}

/// Limits the response parser enforces; the client owns their values.
public struct ResponseParserLimits: Sendable, Equatable {
    /// Status line plus header section, per response head (interim 1xx heads included).
    public var maxHeadBytes: Int
    public var maxHeaderCount: Int
    /// Decoded body bytes, whatever the framing.
    public var maxBodyBytes: Int
    /// 1xx interim responses skipped before the final one.
    public var maxInterimResponses: Int

    public init(maxHeadBytes: Int = 16384, maxHeaderCount: Int = 100, maxBodyBytes: Int = 1 << 20,
                maxInterimResponses: Int = 8) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxInterimResponses = maxInterimResponses
    }
}

/// The outcome of one attempt to parse a response head from the bytes received so far.
public enum ResponseHeadParseResult: Sendable, Equatable {
    case complete(HTTPResponseHead, consumed: Int)
    /// Pass `scanned` back as `resumeFrom` with the grown buffer (picohttpparser's last_len).
    case needMore(scanned: Int)
    case invalid(ResponseParseError)
}

/// Parses `HTTP-version SP status-code SP [reason-phrase]` and the header section
/// (RFC 9112 §4-§5). A pure function over bytes, as strict as the request parser: CRLF
/// line endings only, no obs-fold, one size limit over the whole head.
public enum ResponseHeadParser {
    public static func parse(_ bytes: UnsafeRawBufferPointer, resumeFrom: Int = 0,
                             limits: ResponseParserLimits = ResponseParserLimits()) -> ResponseHeadParseResult {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .needMore(scanned: 0) }
        let count = bytes.count
        if let error = invalidVersionPrefix(bytes) { return .invalid(error) }
        var lineStart = resumeFrom <= count ? resumeFrom : 0
        var headEnd = 0
        while true {
            guard let found = memchr(base + lineStart, Int32(HTTPBytes.lf), count - lineStart) else {
                // The tail may end in the CR of a CRLF that completes the head exactly at the limit.
                if count - 1 > limits.maxHeadBytes {
                    return .invalid(.tooLarge("response head larger than \(limits.maxHeadBytes) bytes"))
                }
                return .needMore(scanned: lineStart)
            }
            let lf = base.distance(to: UnsafeRawPointer(found))
            // The same test as for an incomplete tail above, before any other: fed a byte
            // at a time the parser would have refused the bytes before this LF already.
            if lf - 1 > limits.maxHeadBytes {
                return .invalid(.tooLarge("response head larger than \(limits.maxHeadBytes) bytes"))
            }
            guard lf > lineStart, bytes[lf - 1] == HTTPBytes.cr else {
                return .invalid(.malformed("bare LF line ending"))
            }
            if lf + 1 > limits.maxHeadBytes {
                return .invalid(.tooLarge("response head larger than \(limits.maxHeadBytes) bytes"))
            }
            if lf - 1 == lineStart {
                headEnd = lf + 1
                break
            }
            lineStart = lf + 1
        }
        var lineEnd = 0
        while bytes[lineEnd] != HTTPBytes.cr || bytes[lineEnd + 1] != HTTPBytes.lf { lineEnd += 1 }
        let statusLine: (HTTPVersion, HTTPStatus)
        switch parseStatusLine(UnsafeRawBufferPointer(rebasing: bytes[0..<lineEnd])) {
        case .failure(let error): return .invalid(error)
        case .success(let parsed): statusLine = parsed
        }
        var headers = HTTPHeaders()
        var fieldStart = lineEnd + 2
        while fieldStart < headEnd - 2 {
            var fieldEnd = fieldStart
            while bytes[fieldEnd] != HTTPBytes.cr || bytes[fieldEnd + 1] != HTTPBytes.lf { fieldEnd += 1 }
            guard headers.count < limits.maxHeaderCount else {
                return .invalid(.tooLarge("more than \(limits.maxHeaderCount) header fields"))
            }
            switch HTTPBytes.parseFieldLine(UnsafeRawBufferPointer(rebasing: bytes[fieldStart..<fieldEnd])) {
            case .failure(let error): return .invalid(.malformed(error.reason))
            case .success(let field): headers.add(field.name, field.value)
            }
            fieldStart = fieldEnd + 2
        }
        return .complete(HTTPResponseHead(version: statusLine.0, status: statusLine.1, headers: headers),
                         consumed: headEnd)
    }

    /// Refuses bytes that cannot start `HTTP/1.` at once, rather than after the head limit
    /// fills: a server speaking another protocol is refused in one read. Checked on every
    /// call, so the answer is the same fed whole or a byte at a time.
    private static func invalidVersionPrefix(_ bytes: UnsafeRawBufferPointer) -> ResponseParseError? {
        let prefix = Array("HTTP/1.".utf8)
        for index in 0..<min(bytes.count, prefix.count) where bytes[index] != prefix[index] {
            return .malformed("not an HTTP/1.x status line")
        }
        return nil
    }

    /// RFC 9112 §4. The reason phrase may be empty and its SP missing (as llhttp accepts);
    /// the code is exactly three digits, 100-599.
    static func parseStatusLine(_ line: UnsafeRawBufferPointer) -> Result<(HTTPVersion, HTTPStatus), ResponseParseError> {
        guard line.count >= 12, line[8] == HTTPBytes.space else { return .failure(.malformed("malformed status line")) }
        let version: HTTPVersion
        switch RequestLine.parseVersion(UnsafeRawBufferPointer(rebasing: line[0..<8])) {
        case .failure: return .failure(.malformed("malformed HTTP version in status line"))
        case .success(let parsed): version = parsed
        }
        var code = 0
        for index in 9..<12 {
            let byte = line[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                return .failure(.malformed("malformed status code"))
            }
            code = code * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard (100...599).contains(code) else { return .failure(.malformed("status code \(code) out of range")) }
        var reason = ""
        if line.count > 12 {
            guard line[12] == HTTPBytes.space else { return .failure(.malformed("malformed status line")) }
            let phrase = UnsafeRawBufferPointer(rebasing: line[13...])
            guard phrase.allSatisfy(HTTPBytes.isFieldValueByte) else {
                return .failure(.malformed("control character in reason phrase"))
            }
            reason = HTTPBytes.decodeValue(phrase)
        }
        return .success((version, HTTPStatus(code: code, reasonPhrase: reason)))
    }
}
