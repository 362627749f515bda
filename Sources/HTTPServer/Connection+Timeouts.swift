import Glibc
import HTTPCore

/// The deadlines of a connection, applied by the loop's sweep. Each one bounds how long a
/// client can hold the connection and its buffers without doing its part.
extension Connection {
    /// Shutdown has begun: an idle connection closes now, a busy one after its response.
    func drain() {
        if case .readingHead = state, pending.isEmpty, !hasQueuedOutput {
            close()
        }
    }

    func checkTimeouts(now: Int64) {
        let configuration = loop.server.configuration
        // Whatever the state: output that nobody reads pins the connection (and a 408
        // queued behind it would wait for ever), so the client is cut off.
        if hasQueuedOutput && now - outputProgressAt >= Int64(configuration.writeTimeoutMs) {
            abort()
            return
        }
        switch state {
        case .readingHead where pending.isEmpty && requestStartedAt == nil:
            if now - lastActivity >= Int64(configuration.idleTimeoutMs) { close() }
        case .readingHead:
            let started = requestStartedAt ?? lastActivity
            if now - started >= Int64(configuration.headerTimeoutMs) {
                let method = pending.withUnsafeBytes { Connection.methodHint($0) }
                reject(HTTPParseError(.requestTimeout, "request not received within the header timeout"), method: method)
            }
        case .readingBody(let head, _, _), .readingChunked(let head, _, _):
            // Two limits: a gap between bytes, and the whole body however steadily it drips.
            if now - bodyStartedAt >= Int64(configuration.bodyTimeoutMs) {
                reject(HTTPParseError(.requestTimeout, "request body not received within the body timeout"), method: head.method)
            } else if now - (requestStartedAt ?? lastActivity) >= Int64(configuration.headerTimeoutMs) {
                reject(HTTPParseError(.requestTimeout, "request not received within the header timeout"), method: head.method)
            }
        case .processing, .closed:
            break
        }
    }

    /// Closes with a reset (SO_LINGER 0): the kernel drops what the client never read
    /// instead of keeping it, and retrying it, on an orphaned socket.
    func abort() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    /// The method of a request whose head could not be parsed, as far as the bytes tell:
    /// only HEAD matters, because its answer must carry no content.
    static func methodHint(_ bytes: UnsafeRawBufferPointer) -> HTTPMethod {
        var start = 0
        while start + 1 < bytes.count && bytes[start] == 13 && bytes[start + 1] == 10 { start += 2 }
        let head: [UInt8] = [72, 69, 65, 68, 32]  // "HEAD "
        guard bytes.count - start >= head.count else { return .get }
        for (offset, byte) in head.enumerated() where bytes[start + offset] != byte { return .get }
        return .head
    }
}
