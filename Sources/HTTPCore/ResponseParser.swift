/// A complete response: its head and its whole decoded body.
public struct HTTPParsedResponse: Sendable, Equatable {
    public var head: HTTPResponseHead
    public var body: [UInt8]

    public init(head: HTTPResponseHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }
}

/// The outcome of feeding bytes (or the end of the stream) to a `ResponseParser`.
public enum ResponseParseResult: Sendable, Equatable {
    case needMore
    /// The final response is complete; bytes after it are ignored (the client asked for
    /// `Connection: close` and sends nothing more on the connection).
    case complete(HTTPParsedResponse)
    case invalid(ResponseParseError)
}

/// Reads one HTTP/1.1 response incrementally, interim 1xx responses skipped (RFC 9112 §6.3,
/// RFC 9110 §15.2). A value type over the bytes it is fed: no I/O; the same outcome fed
/// whole or a byte at a time. Failures are sticky.
public struct ResponseParser: Sendable {
    fileprivate enum Body: Sendable {
        case contentLength(remaining: Int)
        case chunked(ChunkedBodyDecoder)
        case untilClose
    }

    private enum State: Sendable {
        case head(scanned: Int)
        case body(HTTPResponseHead, Body)
        case done(HTTPParsedResponse)
        case failed(ResponseParseError)
    }

    public let requestMethod: HTTPMethod
    public let limits: ResponseParserLimits
    private var state = State.head(scanned: 0)
    private var headBuffer: [UInt8] = []
    private var body: [UInt8] = []
    private var interimCount = 0

    public init(requestMethod: HTTPMethod, limits: ResponseParserLimits = ResponseParserLimits()) {
        self.requestMethod = requestMethod
        self.limits = limits
    }

    /// The body runs until the connection closes (no Content-Length, not chunked), so only
    /// a trustworthy end of stream completes it.
    public var awaitsClose: Bool {
        if case .body(_, .untilClose) = state { return true }
        return false
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> ResponseParseResult {
        let result = step(bytes)
        if case .invalid(let error) = result { state = .failed(error) }
        return result
    }

    /// The peer closed the connection: only a close-delimited body ends well here.
    public mutating func finish() -> ResponseParseResult {
        let result: ResponseParseResult
        switch state {
        case .failed(let error):
            result = .invalid(error)
        case .done(let response):
            result = .complete(response)
        case .head:
            result = .invalid(.malformed(headBuffer.isEmpty && interimCount == 0
                ? "connection closed before a response"
                : "connection closed inside the response head"))
        case .body(let head, .untilClose):
            let response = HTTPParsedResponse(head: head, body: body)
            state = .done(response)
            result = .complete(response)
        case .body(_, .contentLength(let remaining)):
            result = .invalid(.malformed("connection closed with \(remaining) body bytes missing"))
        case .body(_, .chunked):
            result = .invalid(.malformed("connection closed inside a chunked body"))
        }
        if case .invalid(let error) = result { state = .failed(error) }
        return result
    }

    private mutating func step(_ bytes: UnsafeRawBufferPointer) -> ResponseParseResult {
        switch state {
        case .failed(let error):
            return .invalid(error)
        case .done(let response):
            return .complete(response)
        case .head(let scanned):
            headBuffer.append(contentsOf: bytes)
            return parseHeads(resumeFrom: scanned)
        case .body(let head, let framing):
            return readBody(bytes, head: head, framing: framing)
        }
    }

    private mutating func parseHeads(resumeFrom: Int) -> ResponseParseResult {
        var scanned = resumeFrom
        while true {
            let parsed = headBuffer.withUnsafeBytes { ResponseHeadParser.parse($0, resumeFrom: scanned, limits: limits) }
            switch parsed {
            case .invalid(let error):
                return .invalid(error)
            case .needMore(let now):
                state = .head(scanned: now)
                return .needMore
            case .complete(let head, let consumed):
                let code = head.status.code
                if code < 200 {
                    // 101 answers an Upgrade this client never sends.
                    guard code != 101 else { return .invalid(.malformed("unexpected 101 Switching Protocols")) }
                    interimCount += 1
                    guard interimCount <= limits.maxInterimResponses else {
                        return .invalid(.tooLarge("more than \(limits.maxInterimResponses) interim responses"))
                    }
                    headBuffer.removeFirst(consumed)
                    scanned = 0
                    continue
                }
                let framing: Body
                switch ResponseFraming.determine(head, requestMethod: requestMethod, limits: limits) {
                case .failure(let error): return .invalid(error)
                case .success(let decided): framing = decided
                }
                let rest = Array(headBuffer[consumed...])
                headBuffer = []
                return rest.withUnsafeBytes { readBody($0, head: head, framing: framing) }
            }
        }
    }

    private mutating func readBody(_ bytes: UnsafeRawBufferPointer, head: HTTPResponseHead, framing: Body) -> ResponseParseResult {
        switch framing {
        case .contentLength(let remaining):
            let take = min(remaining, bytes.count)
            body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
            if take == remaining { return complete(head) }
            state = .body(head, .contentLength(remaining: remaining - take))
            return .needMore
        case .chunked(var decoder):
            // The decoder is moved out of the state while it runs so it is not copied per call.
            state = .body(head, .untilClose)
            switch decoder.feed(bytes, into: &body) {
            case .done:
                return complete(head)
            case .needMore:
                state = .body(head, .chunked(decoder))
                return .needMore
            case .invalid(let error):
                return .invalid(error.status == .contentTooLarge ? .tooLarge("body larger than \(limits.maxBodyBytes) bytes")
                                                                : .malformed(error.reason))
            }
        case .untilClose:
            guard bytes.count <= limits.maxBodyBytes - body.count else {
                return .invalid(.tooLarge("body larger than \(limits.maxBodyBytes) bytes"))
            }
            body.append(contentsOf: bytes)
            state = .body(head, .untilClose)
            return .needMore
        }
    }

    private mutating func complete(_ head: HTTPResponseHead) -> ResponseParseResult {
        let response = HTTPParsedResponse(head: head, body: body)
        body = []
        state = .done(response)
        return .complete(response)
    }
}

/// How a final response's body is delimited (RFC 9112 §6.3), refusing what a smuggling
/// proxy or a broken server would send.
enum ResponseFraming {
    fileprivate static func determine(_ head: HTTPResponseHead, requestMethod: HTTPMethod,
                                      limits: ResponseParserLimits) -> Result<ResponseParser.Body, ResponseParseError> {
        var contentLengths: [String] = []
        var codings: [String] = []
        var sawTransferEncoding = false
        for field in head.headers.fields {
            if field.name.asciiCaseInsensitiveEquals("Content-Length") {
                contentLengths.append(field.value)
            } else if field.name.asciiCaseInsensitiveEquals("Transfer-Encoding") {
                sawTransferEncoding = true
                codings += HeadSemantics.tokens(field.value)
            }
        }
        // RFC 9112 §6.1 lets a recipient guess; a client that guesses can be desynchronised.
        if sawTransferEncoding && !contentLengths.isEmpty {
            return .failure(.malformed("both Transfer-Encoding and Content-Length"))
        }
        if contentLengths.count > 1 { return .failure(.malformed("duplicate Content-Length")) }
        var length: Int?
        if let value = contentLengths.first {
            let digits = value.utf8
            guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                return .failure(.malformed("malformed Content-Length"))
            }
            // All digits: a number past Int is as over the limit as any other.
            guard let parsed = Int(value), parsed <= limits.maxBodyBytes else {
                return .failure(.tooLarge("Content-Length over the limit of \(limits.maxBodyBytes) bytes"))
            }
            length = parsed
        }
        if sawTransferEncoding && codings != ["chunked"] {
            return .failure(.malformed("unsupported Transfer-Encoding"))
        }
        let code = head.status.code
        // RFC 9112 §6.3 (1): these end at the blank line whatever their headers say.
        if requestMethod == .head || code == 204 || code == 304 { return .success(.contentLength(remaining: 0)) }
        if sawTransferEncoding { return .success(.chunked(ChunkedBodyDecoder(maxBodyBytes: limits.maxBodyBytes))) }
        if let length { return .success(.contentLength(remaining: length)) }
        return .success(.untilClose)
    }
}
