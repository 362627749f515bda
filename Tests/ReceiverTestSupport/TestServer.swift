import CSSL
import Foundation
import Glibc

/// What a test receiver does with a request it has read.
public enum Reply: Sendable {
    /// Writes these bytes, then closes.
    case send([UInt8])
    /// Writes the pieces one by one, `pause` apart, then closes: a server that drips.
    case drip([[UInt8]], pause: Duration)
    /// Answers nothing; closes when the client goes away.
    case hang
    /// Writes these bytes, then ends the TCP stream without a TLS close_notify.
    case sendThenCut([UInt8])

    public static func text(_ text: String) -> Reply { .send(Array(text.utf8)) }
}

/// A receiver on 127.0.0.1 for the client's tests: blocking sockets on threads of its own
/// (one per connection), plain or TLS through libssl, and a scripted reply per request. It
/// reads a request head and a Content-Length body, records them, and replies.
public final class TestServer: @unchecked Sendable {
    // Safe: the fields below are set in init and never change; `state` is a Mutex.
    public let port: UInt16
    private let listenFD: Int32
    private let tls: ServerTLS?
    private let reply: @Sendable ([UInt8]) -> Reply
    private struct State {
        var requests: [[UInt8]] = []
        var serverNames: [String] = []
        var connections: Set<Int32> = []
        var accepted = 0
        var stopped = false
        var listenClosed = false
    }
    private let state = LockedState(State())

    /// Requests received so far (head and body bytes as sent).
    public var requests: [[UInt8]] { state.withLock { $0.requests } }
    /// The SNI name of each TLS connection ("" when none was sent).
    public var serverNames: [String] { state.withLock { $0.serverNames } }
    public var acceptedCount: Int { state.withLock { $0.accepted } }
    public var openConnections: Int { state.withLock { $0.connections.count } }

    public init(tls: TestPKI.CertificatePair? = nil, reply: @escaping @Sendable ([UInt8]) -> Reply) throws {
        self.tls = try tls.map { try ServerTLS($0) }
        self.reply = reply
        (listenFD, port) = try LoopbackSocket.listen(backlog: 64)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Wakes the accept and connection threads. Descriptors are shut down and closed only
    /// under the lock, so a number another test has meanwhile reused is never touched.
    public func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            if !state.listenClosed { shutdown(listenFD, Int32(SHUT_RDWR)) }
            for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    public var url: String { "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)" }
    public func url(host: String) -> String { "\(tls == nil ? "http" : "https")://\(host):\(port)" }

    private func acceptLoop() {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                state.withLock { state in
                    state.listenClosed = true
                    close(listenFD)
                }
                return
            }
            let open = state.withLock { state in
                guard !state.stopped else { close(fd); return false }
                state.connections.insert(fd)
                state.accepted += 1
                return true
            }
            guard open else { continue }
            let thread = Thread { [self] in
                serve(fd)
                state.withLock { state in
                    state.connections.remove(fd)
                    close(fd)
                }
            }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var stream: ByteStream = PlainStream(fd: fd)
        if let tls {
            guard let session = tls.accept(fd) else { return }
            state.withLock { $0.serverNames.append(session.serverName) }
            stream = session
        }
        guard let request = readRequest(stream) else { return }
        state.withLock { $0.requests.append(request) }
        switch reply(request) {
        case .send(let bytes):
            stream.write(bytes)
        case .drip(let pieces, let pause):
            for piece in pieces {
                guard stream.write(piece) else { break }
                Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds))
            }
        case .hang:
            var scratch = [UInt8](repeating: 0, count: 1024)
            while stream.read(&scratch) > 0 {}
        case .sendThenCut(let bytes):
            stream.write(bytes)
            shutdown(fd, Int32(SHUT_WR))
            return
        }
        stream.close()
    }

    /// The head through its blank line, then as many body bytes as Content-Length says.
    private func readRequest(_ stream: ByteStream) -> [UInt8]? {
        var bytes: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 4096)
        let terminator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            let count = stream.read(&scratch)
            guard count > 0 else { return nil }
            bytes += scratch[0..<count]
            headEnd = bytes.indices.dropLast(3).first { Array(bytes[$0..<($0 + 4)]) == terminator }.map { $0 + 4 }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: bytes[0..<headEnd], as: UTF8.self).lowercased()
        var length = 0
        if let range = head.range(of: "\r\ncontent-length: ") {
            length = Int(head[range.upperBound...].prefix { $0.isNumber }) ?? 0
        }
        while bytes.count < headEnd + length {
            let count = stream.read(&scratch)
            guard count > 0 else { return nil }
            bytes += scratch[0..<count]
        }
        return bytes
    }
}

/// Binding and listening on 127.0.0.1 with an ephemeral port.
public enum LoopbackSocket {
    public static func listen(backlog: Int32) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, Glibc.listen(fd, backlog) == 0 else { throw TestServerError.socket(errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// A port that nothing listens on (bound, then closed).
    public static func closedPort() throws -> UInt16 {
        let (fd, port) = try listen(backlog: 1)
        close(fd)
        return port
    }
}

public enum TestServerError: Error {
    case socket(Int32)
    case tls(String)
}

public protocol ByteStream {
    func read(_ buffer: inout [UInt8]) -> Int
    @discardableResult func write(_ bytes: [UInt8]) -> Bool
    func close()
}

public struct PlainStream: ByteStream {
    public let fd: Int32
    public init(fd: Int32) { self.fd = fd }
    public func read(_ buffer: inout [UInt8]) -> Int { recv(fd, &buffer, buffer.count, 0) }
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
    public func close() { shutdown(fd, Int32(SHUT_WR)) }
}

/// A value behind an NSLock: a pthread mutex, which ThreadSanitizer sees (a contended
/// `Mutex` it does not, and it would report the accept and stop threads as racing).
public final class LockedState<Value>: @unchecked Sendable {
    // Safe: `value` is only touched inside `withLock`.
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
