/// What one connection holds at a moment. Tests read it (through `@testable import`) to
/// prove that memory follows the bytes that arrived, not the numbers a client announced.
struct ConnectionSnapshot: Sendable {
    /// Body bytes received so far and the capacity reserved for them.
    let bodyBytes: Int
    let bodyCapacity: Int
    /// Response bytes waiting for the client to read them.
    let queuedOutputBytes: Int
}

extension HTTPServer {
    /// Every open connection's snapshot, each taken on its own loop.
    func connectionSnapshots() async -> [ConnectionSnapshot] {
        var all: [ConnectionSnapshot] = []
        for loop in core.loops {
            all += await withCheckedContinuation { (continuation: CheckedContinuation<[ConnectionSnapshot], Never>) in
                loop.execute { continuation.resume(returning: loop.snapshots()) }
            }
        }
        return all
    }
}

extension EventLoop {
    func snapshots() -> [ConnectionSnapshot] { openConnections.map(\.snapshot) }
}

extension Connection {
    var snapshot: ConnectionSnapshot {
        let body: [UInt8]
        switch state {
        case .readingBody(_, let bytes, _), .readingChunked(_, let bytes, _): body = bytes
        default: body = []
        }
        return ConnectionSnapshot(bodyBytes: body.count, bodyCapacity: body.capacity, queuedOutputBytes: queuedOutputBytes)
    }
}
