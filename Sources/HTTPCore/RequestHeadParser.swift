#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of one attempt to parse a request head from the bytes received so far.
public enum RequestHeadParseResult: Sendable, Equatable {
    /// A whole head was parsed; `consumed` bytes (through the blank line) belong to it.
    case complete(HTTPRequestHead, consumed: Int)
    /// The head is not complete yet. `scanned` is how far the parser looked; pass it back
    /// as `resumeFrom` with the grown buffer so it never rescans (picohttpparser's last_len).
    case needMore(scanned: Int)
    /// The bytes can never become a valid request.
    case invalid(HTTPParseError)
}

/// Parses an HTTP/1.1 request line and header section (RFC 9112 §2-§6).
/// A pure function over bytes: no I/O, and the caller owns every limit. Strict: lines end
/// in CRLF (a bare LF or CR is refused rather than guessed at, RFC 9112 §2.2 allows
/// either choice and strictness closes request-smuggling gaps).
public enum RequestHeadParser {
    public static func parse(_ bytes: UnsafeRawBufferPointer, resumeFrom: Int = 0,
                             limits: HTTPParserLimits = HTTPParserLimits()) -> RequestHeadParseResult {
        let count = bytes.count
        // RFC 9112 §2.2: ignore empty lines before the request line.
        var start = 0
        while start + 1 < count && bytes[start] == HTTPBytes.cr && bytes[start + 1] == HTTPBytes.lf {
            start += 2
            // Leading empty lines count toward the request line's limit.
            if start > limits.maxRequestLineBytes {
                return .invalid(HTTPParseError(.uriTooLong, "request line longer than \(limits.maxRequestLineBytes) bytes"))
            }
        }
        guard start < count else { return .needMore(scanned: 0) }
        if bytes[start] == HTTPBytes.lf { return .invalid(HTTPParseError(.badRequest, "bare LF line ending")) }

        guard let base = bytes.baseAddress else { return .needMore(scanned: 0) }
        // A resume point outside the buffer cannot come from an earlier call on it: start
        // over rather than let memchr run past the end.
        var lineStart = resumeFrom <= count ? max(start, resumeFrom) : start
        var requestLineEnd: Int? = nil
        if lineStart > start {
            // Resuming: the request line was complete and checked on an earlier call.
            if let lf = memchr(base + start, Int32(HTTPBytes.lf), count - start) {
                requestLineEnd = base.distance(to: UnsafeRawPointer(lf)) + 1
            }
        }
        var headEnd = 0
        // What a buffer ending at `end`, inside a line whose LF has not come, already proves
        // wrong. Checked at every LF too, so that fed whole the parser gives the answer it
        // gives when the bytes arrive one at a time.
        func partialError(end: Int) -> HTTPParseError? {
            if let lineEnd = requestLineEnd {
                // The incomplete tail may end in the CR of its CRLF, hence the + 1: a line
                // exactly at the limit must not be refused while its LF is in flight.
                // Subtracting from the byte count, not adding to the limit: a limit of
                // Int.max must not overflow.
                guard end - lineEnd - 1 > limits.maxHeaderBytes else { return nil }
                return HTTPParseError(.requestHeaderFieldsTooLarge, "header section larger than \(limits.maxHeaderBytes) bytes")
            }
            if end - start - 1 > limits.maxRequestLineBytes {
                return requestLineTooLong(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), limits: limits)
            }
            return RequestLine.invalidMethodPrefix(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        }
        while true {
            guard let found = memchr(base + lineStart, Int32(HTTPBytes.lf), count - lineStart) else {
                if let error = partialError(end: count) { return .invalid(error) }
                return .needMore(scanned: lineStart)
            }
            let lf = base.distance(to: UnsafeRawPointer(found))
            if let error = partialError(end: lf) { return .invalid(error) }
            guard lf > lineStart, bytes[lf - 1] == HTTPBytes.cr else {
                return .invalid(HTTPParseError(.badRequest, "bare LF line ending"))
            }
            if let end = requestLineEnd {
                if lf - 1 == lineStart { headEnd = lf + 1; break }
                if lf + 1 - end > limits.maxHeaderBytes {
                    return .invalid(HTTPParseError(.requestHeaderFieldsTooLarge, "header section larger than \(limits.maxHeaderBytes) bytes"))
                }
            } else {
                requestLineEnd = lf + 1
            }
            lineStart = lf + 1
        }
        guard let lineEnd = requestLineEnd else { return .needMore(scanned: lineStart) }
        let requestLine = UnsafeRawBufferPointer(rebasing: bytes[start..<(lineEnd - 2)])
        switch RequestLine.parse(requestLine) {
        case .failure(let error):
            return .invalid(error)
        case .success(let line):
            var headers = HTTPHeaders()
            var fieldStart = lineEnd
            while fieldStart < headEnd - 2 {
                var fieldEnd = fieldStart
                while bytes[fieldEnd] != HTTPBytes.cr || bytes[fieldEnd + 1] != HTTPBytes.lf { fieldEnd += 1 }
                if headers.count >= limits.maxHeaderCount {
                    return .invalid(HTTPParseError(.requestHeaderFieldsTooLarge, "more than \(limits.maxHeaderCount) header fields"))
                }
                switch HTTPBytes.parseFieldLine(UnsafeRawBufferPointer(rebasing: bytes[fieldStart..<fieldEnd])) {
                case .failure(let error): return .invalid(error)
                case .success(let field): headers.add(field.name, field.value)
                }
                fieldStart = fieldEnd + 2
            }
            switch HeadSemantics.interpret(line: line, headers: headers) {
            case .failure(let error): return .invalid(error)
            case .success(let head): return .complete(head, consumed: headEnd)
            }
        }
    }

    /// Fed in pieces, a bad method byte among the first `maxRequestLineBytes + 1` bytes is
    /// refused before the line is known to be too long; fed whole, the answer must be the
    /// same, so that one request never gets a 400 or a 414 depending on how TCP split it.
    private static func requestLineTooLong(_ line: UnsafeRawBufferPointer, limits: HTTPParserLimits) -> HTTPParseError {
        let seenEarly = UnsafeRawBufferPointer(rebasing: line.prefix(limits.maxRequestLineBytes + 1))
        return RequestLine.invalidMethodPrefix(seenEarly)
            ?? HTTPParseError(.uriTooLong, "request line longer than \(limits.maxRequestLineBytes) bytes")
    }
}
