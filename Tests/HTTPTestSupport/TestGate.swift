import Foundation

/// A one-shot latch for tests: `wait()` suspends until `open()`; waits after opening
/// return at once. Lets a test hold a request in flight exactly as long as it needs.
/// `@unchecked Sendable`: `isOpen` and `waiters` change only with `lock` held, and the
/// continuations are resumed outside it, each once.
public final class TestGate: @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func wait() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if isOpen {
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }

    public func open() {
        lock.lock()
        isOpen = true
        let pending = waiters
        waiters = []
        lock.unlock()
        for waiter in pending { waiter.resume() }
    }
}

/// Raises the open-file soft limit to the hard limit, for tests with many sockets.
public func raiseFileDescriptorLimit() {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
