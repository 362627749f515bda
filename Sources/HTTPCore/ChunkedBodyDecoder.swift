/// The outcome of feeding bytes to a `ChunkedBodyDecoder`.
public enum ChunkedDecodeResult: Sendable, Equatable {
    /// All of `consumed` was used; the body is not finished.
    case needMore(consumed: Int)
    /// The last chunk and trailer section ended after `consumed` bytes; later bytes are
    /// the next request.
    case done(consumed: Int, trailers: HTTPHeaders)
    /// Malformed framing (400), a body over the limit (413), trailers too large (431).
    case invalid(HTTPParseError)
}

/// Decodes a chunked request body (RFC 9112 §7.1) incrementally, appending the data to a
/// caller-owned buffer. A value type holding only its state: no I/O. Works the same fed
/// whole or one byte at a time.
public struct ChunkedBodyDecoder: Sendable {
    private enum State: Sendable {
        case size(value: Int, digits: Int)
        /// Whitespace after the size, allowed only before `;` (BWS in chunk-ext).
        case sizeSpace(value: Int)
        case extensions(value: Int)
        case sizeLF(value: Int)
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailerLineStart
        case trailerLine
        case trailerLF
        case finalLF
        case done
        /// Sticky: once framing is broken every later call reports the same error.
        case failed(HTTPParseError)
    }

    public let maxBodyBytes: Int
    public let maxTrailerBytes: Int
    /// Size lines, extensions and CRLFs may exceed the payload by at most this much.
    public let framingAllowance: Int
    private var state = State.size(value: 0, digits: 0)
    private var received = 0
    private var trailerLine: [UInt8] = []
    private var extensionBytes: [UInt8] = []
    private var trailerBytes = 0
    private var trailers = HTTPHeaders()
    /// Bytes of size lines, extensions and CRLFs seen so far; checked against `received`.
    private var framingBytes = 0
    private static let maxTrailerCount = 100

    public init(maxBodyBytes: Int, maxTrailerBytes: Int = 8192, framingAllowance: Int = 4096) {
        self.maxBodyBytes = maxBodyBytes
        self.maxTrailerBytes = maxTrailerBytes
        self.framingAllowance = framingAllowance
    }

    public mutating func feed(_ input: UnsafeRawBufferPointer, into body: inout [UInt8]) -> ChunkedDecodeResult {
        if case .failed(let error) = state { return .invalid(error) }
        let result = step(input, into: &body)
        if case .invalid(let error) = result { state = .failed(error) }
        return result
    }

    private static func fail(_ reason: String) -> ChunkedDecodeResult {
        .invalid(HTTPParseError(.badRequest, reason))
    }

    private mutating func step(_ input: UnsafeRawBufferPointer, into body: inout [UInt8]) -> ChunkedDecodeResult {
        var index = 0
        while index < input.count {
            if case .data(let remaining) = state {
                let take = min(remaining, input.count - index)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<(index + take)]))
                index += take
                state = remaining == take ? .dataCR : .data(remaining: remaining - take)
                continue
            }
            let byte = input[index]
            index += 1
            if let error = countFramingByte() { return error }
            switch state {
            case .size(let value, let digits):
                if let digit = ChunkedBodyDecoder.hexValue(byte) {
                    guard digits < 16 else { return ChunkedBodyDecoder.fail("chunk size too long") }
                    guard value <= (Int.max - digit) / 16 else { return ChunkedBodyDecoder.fail("chunk size overflows") }
                    state = .size(value: value * 16 + digit, digits: digits + 1)
                } else if digits == 0 {
                    return ChunkedBodyDecoder.fail("missing or invalid chunk size")
                } else if byte == UInt8(ascii: ";") {
                    extensionBytes = []
                    state = .extensions(value: value)
                } else if HTTPBytes.isWhitespace(byte) {
                    state = .sizeSpace(value: value)
                } else if byte == HTTPBytes.cr {
                    state = .sizeLF(value: value)
                } else {
                    return ChunkedBodyDecoder.fail("invalid character in chunk size")
                }
            case .sizeSpace(let value):
                if byte == UInt8(ascii: ";") {
                    extensionBytes = []
                    state = .extensions(value: value)
                } else if !HTTPBytes.isWhitespace(byte) {
                    return ChunkedBodyDecoder.fail("invalid character after chunk size")
                }
            case .extensions(let value):
                if byte == HTTPBytes.cr {
                    guard ChunkExtension.isValid(extensionBytes) else { return ChunkedBodyDecoder.fail("invalid chunk extension") }
                    state = .sizeLF(value: value)
                } else {
                    guard HTTPBytes.isFieldValueByte(byte) else { return ChunkedBodyDecoder.fail("control character in chunk extension") }
                    guard extensionBytes.count < 4096 else { return ChunkedBodyDecoder.fail("chunk extension too long") }
                    extensionBytes.append(byte)
                }
            case .sizeLF(let value):
                guard byte == HTTPBytes.lf else { return ChunkedBodyDecoder.fail("chunk size line not ended by CRLF") }
                if value == 0 {
                    state = .trailerLineStart
                } else {
                    // `received <= maxBodyBytes` always, so this subtraction cannot overflow
                    // where `received + value` did for a size near Int.max.
                    guard value <= maxBodyBytes - received else {
                        return .invalid(HTTPParseError(.contentTooLarge, "chunked body over the limit of \(maxBodyBytes) bytes"))
                    }
                    received += value
                    state = .data(remaining: value)
                }
            case .dataCR:
                guard byte == HTTPBytes.cr else { return ChunkedBodyDecoder.fail("chunk data not followed by CRLF") }
                state = .dataLF
            case .dataLF:
                guard byte == HTTPBytes.lf else { return ChunkedBodyDecoder.fail("chunk data not followed by CRLF") }
                state = .size(value: 0, digits: 0)
            case .trailerLineStart:
                if byte == HTTPBytes.cr {
                    state = .finalLF
                } else if byte == HTTPBytes.lf {
                    return ChunkedBodyDecoder.fail("bare LF in trailer section")
                } else {
                    trailerLine = [byte]
                    state = .trailerLine
                    if let error = countTrailerByte() { return error }
                }
            case .trailerLine:
                if byte == HTTPBytes.cr {
                    state = .trailerLF
                } else {
                    guard byte != HTTPBytes.lf else { return ChunkedBodyDecoder.fail("bare LF in trailer section") }
                    trailerLine.append(byte)
                    if let error = countTrailerByte() { return error }
                }
            case .trailerLF:
                guard byte == HTTPBytes.lf else { return ChunkedBodyDecoder.fail("trailer line not ended by CRLF") }
                let parsed = trailerLine.withUnsafeBytes { HTTPBytes.parseFieldLine($0) }
                switch parsed {
                case .failure(let error): return .invalid(error)
                case .success(let field):
                    guard trailers.count < ChunkedBodyDecoder.maxTrailerCount else {
                        return .invalid(HTTPParseError(.requestHeaderFieldsTooLarge,
                                                       "more than \(ChunkedBodyDecoder.maxTrailerCount) trailer fields"))
                    }
                    trailers.add(field.name, field.value)
                }
                trailerLine = []
                state = .trailerLineStart
            case .finalLF:
                guard byte == HTTPBytes.lf else { return ChunkedBodyDecoder.fail("chunked body not ended by CRLF") }
                state = .done
                return .done(consumed: index, trailers: trailers)
            case .data, .done:
                return .done(consumed: index - 1, trailers: trailers)
            case .failed(let error):
                return .invalid(error)
            }
        }
        return .needMore(consumed: index)
    }

    /// Framing costs the server time and memory without adding payload: a body of 1-byte
    /// chunks with 4 KiB extensions would otherwise be ~4000 times its size on the wire.
    @inline(__always)
    private mutating func countFramingByte() -> ChunkedDecodeResult? {
        switch state {
        case .size, .sizeSpace, .extensions, .sizeLF, .dataCR, .dataLF:
            framingBytes += 1
            // `received <= maxBodyBytes`; saturating keeps a huge allowance from overflowing.
            let (budget, overflow) = received.addingReportingOverflow(framingAllowance)
            if !overflow && framingBytes > budget {
                return ChunkedBodyDecoder.fail("chunk framing larger than the payload allows")
            }
            return nil
        default:
            return nil
        }
    }

    private mutating func countTrailerByte() -> ChunkedDecodeResult? {
        trailerBytes += 1
        guard trailerBytes <= maxTrailerBytes else {
            return .invalid(HTTPParseError(.requestHeaderFieldsTooLarge, "trailer section larger than \(maxTrailerBytes) bytes"))
        }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

/// `chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )`, ext-val = token /
/// quoted-string (RFC 9112 §7.1.1). `bytes` starts just after the first ";".
enum ChunkExtension {
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func skipWhitespace() { while index < bytes.count && HTTPBytes.isWhitespace(bytes[index]) { index += 1 } }
        func token() -> Bool {
            let start = index
            while index < bytes.count && HTTPBytes.isTokenByte[Int(bytes[index])] { index += 1 }
            return index > start
        }
        func quotedString() -> Bool {
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { index += 1; return true }
                if byte == UInt8(ascii: "\\") {
                    index += 1
                    guard index < bytes.count, HTTPBytes.isFieldValueByte(bytes[index]) else { return false }
                } else if !HTTPBytes.isFieldValueByte(byte) {
                    return false
                }
                index += 1
            }
            return false
        }
        while true {
            skipWhitespace()
            guard token() else { return false }
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "=") {
                index += 1
                skipWhitespace()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: "\"") {
                    guard quotedString() else { return false }
                } else {
                    guard token() else { return false }
                }
                skipWhitespace()
            }
            if index == bytes.count {
                // BWS is allowed before ";" and "=", not at the end of the line.
                return index == 0 || !HTTPBytes.isWhitespace(bytes[index - 1])
            }
            guard bytes[index] == UInt8(ascii: ";") else { return false }
            index += 1
        }
    }
}
