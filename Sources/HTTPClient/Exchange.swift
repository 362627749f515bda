import CLinux
import Glibc
import HTTPCore

/// One request's life on a client loop, as a state machine driven by socket readiness:
/// resolve -> check every address -> non-blocking connect (EPOLLOUT, then SO_ERROR; the
/// next address on failure) -> TLS handshake -> write -> read until the parser has the
/// response. Whatever step it is in, the deadline or a cancellation ends it.
///
/// Created by the caller and handed to its loop once; from then on only the loop thread
/// touches it, which is what makes `@unchecked Sendable` true.
final class Exchange: @unchecked Sendable {
    typealias Completion = @Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void

    private enum Phase {
        case idle, resolving, connecting, handshaking, writing, reading, finished
    }

    let token: UInt64
    let deadline: ContinuousClock.Instant
    private let url: HTTPClientURL
    private let requestBytes: [UInt8]
    private let shared: ClientShared
    private unowned let loop: ClientLoop
    private var completion: Completion?
    private var phase = Phase.idle
    private var fd: Int32 = -1
    private var interest: UInt32 = 0
    private var addresses: [IPAddress] = []
    private var nextAddress = 0
    private var lastConnectError = HTTPClientError.refused
    private var tls: TLSSession?
    private var written = 0
    private var parser: ResponseParser

    init(token: UInt64, url: HTTPClientURL, method: HTTPMethod, requestBytes: [UInt8], deadline: ContinuousClock.Instant,
         shared: ClientShared, loop: ClientLoop, completion: @escaping Completion) {
        self.token = token
        self.url = url
        self.requestBytes = requestBytes
        self.deadline = deadline
        self.shared = shared
        self.loop = loop
        self.completion = completion
        parser = ResponseParser(requestMethod: method, limits: shared.configuration.responseLimits)
    }

    // MARK: Steps

    func start(cancelled: CancellationFlag) {
        guard !loop.stopping else { return finish(.failure(.shutDown)) }
        guard !cancelled.isSet else { return finish(.failure(.cancelled)) }
        guard ContinuousClock.now < deadline else { return finish(.failure(.timeout)) }
        loop.adopt(self)
        if let literal = IPAddress(url.host) {
            connect(to: [literal])
            return
        }
        phase = .resolving
        shared.resolver.resolve(url.host) { [loop] result in
            loop.execute { self.resolved(result) }
        }
    }

    private func resolved(_ result: Result<[IPAddress], HTTPClientError>) {
        guard phase == .resolving else { return }  // timed out or cancelled meanwhile
        switch result {
        case .failure(let error): finish(.failure(error))
        case .success(let found): connect(to: found)
        }
    }

    private func connect(to found: [IPAddress]) {
        do {
            try shared.configuration.addressPolicy.check(found)
        } catch {
            return finish(.failure(error))
        }
        addresses = found
        connectNext()
    }

    private func connectNext() {
        closeSocket()
        guard nextAddress < addresses.count else { return finish(.failure(lastConnectError)) }
        let address = addresses[nextAddress]
        nextAddress += 1
        var storage = SocketAddress(address, port: url.port)
        fd = socket(address.isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return finish(.failure(.io("cannot open a socket (errno \(errno))"))) }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        interest = EPOLLOUT.rawValue
        guard loop.watch(fd: fd, token: token, events: interest, adding: true) else {
            return finish(.failure(.io("cannot watch the socket (errno \(errno))")))
        }
        let result = storage.withPointer { Glibc.connect(fd, $0, $1) }
        if result == 0 { return connected() }
        if errno == EINPROGRESS {
            phase = .connecting
            return
        }
        lastConnectError = Exchange.connectError(errno)
        connectNext()
    }

    func socketReady(events: UInt32) {
        switch phase {
        case .connecting:
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            if code == 0 { return connected() }
            lastConnectError = Exchange.connectError(code)
            connectNext()
        case .handshaking: handshake()
        case .writing: writeRequest()
        case .reading: readResponse()
        case .idle, .resolving, .finished: break
        }
    }

    private func connected() {
        guard url.isTLS else {
            phase = .writing
            return writeRequest()
        }
        do {
            tls = try TLSSession(context: shared.tlsContext, fd: fd, host: url.host)
        } catch {
            return finish(.failure(error))
        }
        phase = .handshaking
        handshake()
    }

    private func handshake() {
        guard let tls else { return }
        switch tls.handshake() {
        case .done:
            phase = .writing
            writeRequest()
        case .wantRead: want(EPOLLIN.rawValue)
        case .wantWrite: want(EPOLLOUT.rawValue)
        case .closed, .truncated: finish(.failure(.tls("connection closed during the TLS handshake")))
        case .failed(let reason): finish(.failure(.tls(reason)))
        }
    }

    private func writeRequest() {
        while written < requestBytes.count {
            let step = requestBytes.withUnsafeBytes { all in
                let rest = UnsafeRawBufferPointer(rebasing: all[written...])
                return tls?.write(rest) ?? Exchange.transmit(fd, rest)
            }
            switch step {
            case .done(let count): written += count
            case .wantRead: return want(EPOLLIN.rawValue)
            case .wantWrite: return want(EPOLLOUT.rawValue)
            case .closed, .truncated: return finish(.failure(.io("connection closed while sending the request")))
            case .failed(let reason): return finish(.failure(tls == nil ? .io(reason) : .tls(reason)))
            }
        }
        phase = .reading
        want(EPOLLIN.rawValue)
        readResponse()
    }

    private func readResponse() {
        // Bounded per wake-up so one fast sender cannot starve the loop's other exchanges.
        // The rest is read in a later round as a job, not on the next epoll event: bytes
        // libssl already holds would raise none.
        for _ in 0..<16 {
            let buffer = loop.readBuffer
            let step = tls?.read(into: buffer) ?? Exchange.receive(fd, into: buffer)
            switch step {
            case .done(let count):
                let result = parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                if case .needMore = result { continue }
                return deliver(result)
            case .wantRead: return want(EPOLLIN.rawValue)
            case .wantWrite: return want(EPOLLOUT.rawValue)
            case .closed: return deliver(parser.finish())
            case .truncated:
                // Without close_notify an attacker on the path can end a close-delimited
                // body early; self-delimited framing still shows truncation itself.
                guard !parser.awaitsClose else {
                    return finish(.failure(.malformedResponse("TLS stream ended without close_notify inside a close-delimited body")))
                }
                return deliver(parser.finish())
            case .failed(let reason): return finish(.failure(tls == nil ? .io(reason) : .tls(reason)))
            }
        }
        loop.execute { if self.phase == .reading { self.readResponse() } }
    }

    private func deliver(_ result: ResponseParseResult) {
        switch result {
        case .needMore: break
        case .complete(let response):
            finish(.success(HTTPClientResponse(status: response.head.status, headers: response.head.headers, body: response.body)))
        case .invalid(let error):
            finish(.failure(error.kind == .tooLarge ? .tooLarge(error.reason) : .malformedResponse(error.reason)))
        }
    }

    // MARK: Ending

    /// Deadline, cancellation, shutdown: whatever the phase.
    func fail(_ error: HTTPClientError) {
        finish(.failure(error))
    }

    private func finish(_ result: Result<HTTPClientResponse, HTTPClientError>) {
        guard phase != .finished else { return }
        phase = .finished
        closeSocket()
        loop.forget(self)
        let completion = self.completion
        self.completion = nil
        completion?(result)
    }

    private func want(_ events: UInt32) {
        guard events != interest else { return }
        interest = events
        _ = loop.watch(fd: fd, token: token, events: events, adding: false)
    }

    private func closeSocket() {
        tls = nil  // SSL_free first: it does not close the descriptor
        guard fd >= 0 else { return }
        loop.unwatch(fd: fd)
        close(fd)
        fd = -1
    }

    /// `send` as a `TLSStep`; MSG_NOSIGNAL: a receiver that hangs up must not raise SIGPIPE.
    private static func transmit(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> TLSStep {
        let sent = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        if sent >= 0 { return .done(sent) }
        switch errno {
        case EAGAIN, EWOULDBLOCK: return .wantWrite
        case EINTR: return .done(0)
        default: return .failed("sending the request failed (errno \(errno))")
        }
    }

    /// `recv` as a `TLSStep`, so plain and TLS reads share one path.
    private static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> TLSStep {
        let count = recv(fd, buffer.baseAddress, buffer.count, 0)
        if count > 0 { return .done(count) }
        if count == 0 { return .closed }
        switch errno {
        case EAGAIN, EWOULDBLOCK: return .wantRead
        case EINTR: return .done(0)
        default: return .failed("reading the response failed (errno \(errno))")
        }
    }

    private static func connectError(_ code: Int32) -> HTTPClientError {
        switch code {
        case ECONNREFUSED: .refused
        case ETIMEDOUT: .timeout
        default: .io("connect failed: \(String(cString: strerror(code)))")
        }
    }
}

/// A sockaddr_in or sockaddr_in6 for `connect`.
struct SocketAddress {
    private var storage = sockaddr_storage()
    private let length: socklen_t

    init(_ address: IPAddress, port: UInt16) {
        if address.isV6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: address.bytes) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin6, as: sockaddr_in6.self) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: address.bytes) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
    }

    mutating func withPointer<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        let length = self.length
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
