import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client for tests that need exact bytes on the wire: pipelining, partial
/// heads, slow clients. Every read has a deadline (SO_RCVTIMEO), so a test fails instead
/// of hanging; nothing here sleeps.
///
/// `@unchecked Sendable` only so a test can hand its client to the task that uses it: the
/// read buffer is unguarded, so one client is used by one task at a time.
public final class RawHTTPClient: @unchecked Sendable {
    public let fd: Int32
    private var buffer: [UInt8] = []

    public struct Response: Sendable {
        public let status: Int
        public let headers: [(String, String)]
        public let body: [UInt8]
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        public func headerValues(_ name: String) -> [String] {
            headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
        }
    }

    public struct ClientError: Error, CustomStringConvertible {
        public let description: String
    }

    /// `receiveBufferBytes` shrinks the socket's receive window (set before connecting),
    /// so a client that stops reading blocks the server's writes quickly.
    public init(port: Int, timeoutSeconds: Int = 10, receiveBufferBytes: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // No close here: `fd` is initialized, so a throw from here on still runs `deinit`,
        // which closes it. Closing it here as well closed it twice, and the second close
        // hit whatever descriptor another thread had been given that number in between (a
        // test server's listener or connection: refused and reset connections elsewhere).
        guard result == 0 else { throw ClientError(description: "connect failed: errno \(errno)") }
    }

    deinit { if fd >= 0 { close(fd) } }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError(description: "send failed: errno \(errno)") }
            offset += n
        }
    }

    /// Reads one response. `headRequest` means no body follows despite Content-Length.
    public func readResponse(headRequest: Bool = false) throws -> Response {
        let headEnd = try readUntilHeadEnd()
        let headText = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw ClientError(description: "bad status line in \(headText)")
        }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        let bodyLength = headRequest || status == 204 || status == 304 || status < 200 ? 0 : length
        while buffer.count < bodyLength { try fill() }
        let body = Array(buffer[..<bodyLength])
        buffer.removeFirst(bodyLength)
        return Response(status: status, headers: headers, body: body)
    }

    /// True when the server closed the connection (read returns 0) before the deadline.
    public func readsEndOfStream() -> Bool {
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &scratch, scratch.count)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    /// Everything that arrives until the server closes (buffered leftovers included), or
    /// nil when the deadline passes first: for proving nothing follows a response.
    public func bytesBeforeEndOfStream() -> [UInt8]? {
        var received = buffer
        buffer = []
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &scratch, scratch.count)
            if n > 0 { received += scratch[0..<n]; continue }
            if n == 0 || errno == ECONNRESET { return received }
            return nil
        }
    }

    private func readUntilHeadEnd() throws -> Int {
        while true {
            if let end = RawHTTPClient.find([13, 10, 13, 10], in: buffer) { return end }
            try fill()
        }
    }

    private func fill() throws {
        var scratch = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &scratch, scratch.count)
        if n > 0 { buffer.append(contentsOf: scratch[0..<n]); return }
        if n == 0 { throw ClientError(description: "connection closed by server") }
        throw ClientError(description: "read failed or timed out: errno \(errno)")
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }
}
