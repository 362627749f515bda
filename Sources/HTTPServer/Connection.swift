import CLinux
import Glibc
import HTTPCore

/// One client connection, confined to its event loop's thread. It reads as a loop:
/// read head -> read body -> run the handler -> write the response -> next head. One request
/// is in the handler at a time, so pipelined responses leave in request order, and nothing
/// more is read while a response waits to be written (back-pressure on slow readers).
final class Connection {
    enum State {
        case readingHead(scanned: Int)
        case readingBody(HTTPRequestHead, body: [UInt8], remaining: Int)
        case readingChunked(HTTPRequestHead, body: [UInt8], decoder: ChunkedBodyDecoder)
        case processing
        case closed
    }

    let fd: Int32
    let remoteAddress: String
    unowned let loop: EventLoop
    private(set) var state: State = .readingHead(scanned: 0)
    /// Received bytes not consumed yet: a partial head or body, or pipelined requests.
    private(set) var pending: [UInt8] = []
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var closeAfterWrite = false
    private var socketReadable = false
    /// When the current request's first byte (or, in a body, its last progress) arrived.
    private(set) var requestStartedAt: Int64?
    private(set) var lastActivity: Int64
    /// When the current request's head was complete: the whole body is due `bodyTimeoutMs` later.
    private(set) var bodyStartedAt: Int64 = 0
    /// When queued output last drained a byte (or was queued onto an empty queue).
    private(set) var outputProgressAt: Int64 = 0

    init(fd: Int32, loop: EventLoop, remoteAddress: String) {
        self.fd = fd
        self.loop = loop
        self.remoteAddress = remoteAddress
        lastActivity = loop.now
        // A fresh connection must send its head within the header timeout.
        requestStartedAt = loop.now
    }

    var queuedOutputBytes: Int { output.count - outputOffset }
    var hasQueuedOutput: Bool { outputOffset < output.count }

    var isClosed: Bool { if case .closed = state { true } else { false } }

    func handleEvents(_ events: UInt32) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && events & EPOLLIN.rawValue == 0 {
            close()
            return
        }
        if events & EPOLLOUT.rawValue != 0 && outputOffset < output.count {
            flush()
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 {
            socketReadable = true
        }
        pump()
    }

    // MARK: - Reading

    /// Makes all the progress the buffered and readable bytes allow.
    private func pump() {
        while true {
            if case .processing = state { return }
            if isClosed || outputOffset < output.count { return }
            if !pending.isEmpty, case .progressed = processPending() { continue }
            if case .processing = state { return }
            if isClosed || !socketReadable { return }
            let buffer = loop.readBuffer
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                lastActivity = loop.now
                // A short read drained the socket; edge-triggered epoll reports new data.
                if n < buffer.count { socketReadable = false }
                ingest(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            } else if n == 0 {
                close()
                return
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                socketReadable = false
                return
            } else if errno != EINTR {
                close()
                return
            }
        }
    }

    private enum Progress { case progressed, stalled }

    private func processPending() -> Progress {
        // Moved out so `process` may reset `pending` (on reject or close) while it reads.
        var buffer = pending
        pending = []
        let consumed = buffer.withUnsafeBytes { process($0) }
        if isClosed { return .stalled }
        if consumed < buffer.count {
            buffer.removeFirst(consumed)
            pending = buffer
        }
        // An idle connection keeps no buffer: that is what keeps it under a few KiB.
        return consumed > 0 ? .progressed : .stalled
    }

    private func ingest(_ bytes: UnsafeRawBufferPointer) {
        if pending.isEmpty {
            let consumed = process(bytes)
            if consumed < bytes.count && !isClosed {
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
            }
        } else {
            pending.append(contentsOf: bytes)
            _ = processPending()
        }
    }

    /// Runs the request state machine over `bytes`; returns how many it used. Stops after
    /// dispatching a request, leaving later (pipelined) bytes for after the response.
    private func process(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < bytes.count {
            switch state {
            case .readingHead(let scanned):
                if requestStartedAt == nil { requestStartedAt = loop.now }
                let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
                switch RequestHeadParser.parse(rest, resumeFrom: scanned, limits: loop.server.configuration.parserLimits) {
                case .needMore(let scannedNow):
                    // The partial head stays pending; `scanned` is relative to its start.
                    state = .readingHead(scanned: scannedNow)
                    return offset
                case .invalid(let error):
                    reject(error, method: Connection.methodHint(rest))
                    return bytes.count
                case .complete(let head, let consumed):
                    offset += consumed
                    switch beginBody(head) {
                    case .dispatched: return offset
                    case .rejected: return bytes.count
                    case .readBody: continue
                    }
                }
            case .readingBody(let head, var body, let remaining):
                state = .processing  // releases `body` so appends happen in place
                let take = min(remaining, bytes.count - offset)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
                offset += take
                requestStartedAt = loop.now
                if remaining - take == 0 {
                    dispatch(head, body: body)
                    return offset
                }
                state = .readingBody(head, body: body, remaining: remaining - take)
            case .readingChunked(let head, var body, var decoder):
                state = .processing  // releases `body` for in-place appends
                let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
                requestStartedAt = loop.now
                switch decoder.feed(rest, into: &body) {
                case .needMore(let consumed):
                    offset += consumed
                    state = .readingChunked(head, body: body, decoder: decoder)
                case .done(let consumed, _):
                    offset += consumed
                    dispatch(head, body: body)
                    return offset
                case .invalid(let error):
                    reject(error, method: head.method)
                    return bytes.count
                }
            case .processing, .closed:
                return offset
            }
        }
        return offset
    }

    private enum BodyStart { case dispatched, rejected, readBody }

    /// Decides how to read the body of `head`, answering at once when there is none.
    private func beginBody(_ head: HTTPRequestHead) -> BodyStart {
        let limit = loop.server.configuration.maxBodyBytes
        switch head.framing {
        case .none, .contentLength(0):
            dispatch(head, body: [])
            return .dispatched
        case .contentLength(let length):
            // Refused before reading a byte of it; the connection closes after the answer.
            if length > limit {
                reject(HTTPParseError(.contentTooLarge, "body of \(length) bytes is over the limit of \(limit)"), method: head.method)
                return .rejected
            }
            sendContinueIfExpected(head)
            // Nothing reserved for the declared length: memory follows the bytes that arrive,
            // so a 120-byte head cannot hold a megabyte.
            bodyStartedAt = loop.now
            state = .readingBody(head, body: [], remaining: length)
        case .chunked:
            sendContinueIfExpected(head)
            bodyStartedAt = loop.now
            state = .readingChunked(head, body: [], decoder: ChunkedBodyDecoder(maxBodyBytes: limit))
        }
        return .readBody
    }

    private func sendContinueIfExpected(_ head: HTTPRequestHead) {
        // RFC 9110 §10.1.1: an HTTP/1.0 client cannot be sent 100 Continue.
        guard head.expectsContinue, head.version != .http1_0 else { return }
        queue(ResponseSerializer.continueResponse)
    }

    // MARK: - Answering

    private func dispatch(_ head: HTTPRequestHead, body: [UInt8]) {
        state = .processing
        requestStartedAt = nil
        let request = HTTPRequest(head: head, body: body, remoteAddress: remoteAddress)
        let handler = loop.server.handler
        let reference = ConnectionReference(connection: self, loop: loop)
        loop.server.requestStarted()
        Task(executorPreference: loop.executor) {
            let response: HTTPResponse
            do {
                response = try await handler.handle(request)
            } catch {
                // The application maps its own errors; this is the last resort.
                response = HTTPResponse(status: .internalServerError)
            }
            reference.loop.execute {
                reference.connection.respond(response, to: head)
            }
        }
    }

    /// Called on the loop when the handler has answered.
    func respond(_ response: HTTPResponse, to head: HTTPRequestHead) {
        loop.server.requestFinished()
        guard !isClosed else { return }
        let wantsClose = response.headers["Connection"].map { $0.lowercased().contains("close") } ?? false
        let keepAlive = head.keepAlive && !wantsClose && !loop.server.draining.load(ordering: .acquiring)
        let bytes = ResponseSerializer.serialize(response, requestMethod: head.method,
                                                 requestVersion: head.version, keepAlive: keepAlive,
                                                 date: loop.cachedDate)
        state = .readingHead(scanned: 0)
        lastActivity = loop.now
        closeAfterWrite = !keepAlive
        if loop.deferringWrites {
            append(bytes)
            // Sent, and reading resumed, when the loop's batch of jobs is done.
            loop.deferredWrites.append(self)
            return
        }
        queue(bytes)
        pump()
    }

    /// Answers a request the server refused, then closes: framing can no longer be trusted.
    /// `method` is the request's, where known: a HEAD is answered without content even
    /// when refused (RFC 9110 §9.3.2).
    func reject(_ error: HTTPParseError, method: HTTPMethod) {
        let response = loop.server.handler.response(for: error, remoteAddress: remoteAddress)
        let bytes = ResponseSerializer.serialize(response, requestMethod: method, requestVersion: .http1_1,
                                                 keepAlive: false, date: loop.cachedDate)
        state = .processing
        pending = []
        closeAfterWrite = true
        queue(bytes)
    }

    // MARK: - Writing

    /// Output waits for at most one response (plus a 100 Continue or a rejection): reading
    /// stops while it waits, so a client that pipelines without reading queues nothing more.
    private func queue(_ bytes: [UInt8]) {
        append(bytes)
        flush()
    }

    private func append(_ bytes: [UInt8]) {
        // The write timeout counts from when output started waiting, not from the last drain.
        if !hasQueuedOutput { outputProgressAt = loop.now }
        // The usual case, an empty queue, takes the serialized bytes over without a copy.
        if output.isEmpty { output = bytes } else { output.append(contentsOf: bytes) }
    }

    private func flush() {
        while outputOffset < output.count {
            let n = output.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return send(fd, base + outputOffset, buffer.count - outputOffset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                outputOffset += n
                outputProgressAt = loop.now
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return  // EPOLLOUT (edge-triggered) calls flush again when there is room
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                close()
                return
            }
        }
        output = []
        outputOffset = 0
        if closeAfterWrite {
            // Half-close first so the client reads the whole response before the FIN.
            shutdown(fd, Int32(SHUT_WR))
            close()
        }
    }

    /// The loop's batch of jobs is done: send the answer `respond` queued, then read on.
    func flushDeferred() {
        guard !isClosed else { return }
        flush()
        pump()
    }

    // MARK: - Ending

    func close() {
        guard !isClosed else { return }
        state = .closed
        pending = []
        output = []
        Glibc.close(fd)
        loop.forget(self)
    }
}

/// Carries a loop-confined connection across a task boundary. Safe because it is only
/// touched inside `loop.execute`, which runs on the owning loop's thread.
struct ConnectionReference: @unchecked Sendable {
    let connection: Connection
    let loop: EventLoop
}
