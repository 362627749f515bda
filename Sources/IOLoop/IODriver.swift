/// An object living on one driver's thread that is told when its descriptor is ready.
public protocol IOHandler: AnyObject {
    func ioReady(events: UInt32)
}

/// Work handed to a driver's thread.
public typealias IOJob = @Sendable () -> Void

/// One thread that owns descriptors and timers: the Postgres pool's own reactor thread, or
/// an HTTP event loop lending its epoll set. Whoever holds state confined to a driver
/// touches it only inside `execute`, so the same code is correct on either kind, and on the
/// driver's own thread it costs no hand-over at all. See docs/adr/0010-postgres-thread-hop.md.
///
/// Everything except `execute` and `isCurrent` must be called on the driver's thread.
public protocol IODriver: AnyObject, Sendable {
    /// True on the driver's own thread (a thread-identity check, no lock).
    var isCurrent: Bool { get }

    /// Runs `job` on the driver's thread: inline when already there, otherwise queued.
    /// Returns `false`, dropping the job, once the driver has stopped, so a caller can fail
    /// what waited on it (with `.closed`) instead of hanging.
    @discardableResult
    func execute(_ job: @escaping IOJob) -> Bool

    /// A token under which `watch` reports readiness to `handler`. Tokens are never reused,
    /// unlike descriptor numbers, so a late event for a handler that went away finds nothing.
    func register(_ handler: any IOHandler) -> UInt64
    func unregister(_ token: UInt64)

    /// Watches `fd` for the epoll `events` on behalf of `token`; a second call changes them.
    func watch(fd: Int32, token: UInt64, events: UInt32)
    /// Stops watching `fd`; call before the descriptor is closed, so a reused number
    /// cannot inherit the registration.
    func unwatch(fd: Int32)

    /// A one-shot timer; returns its id for `cancelTimer`.
    func schedule(after delay: Duration, _ action: @escaping () -> Void) -> UInt64
    func cancelTimer(_ id: UInt64)

    /// Runs `hook` on the driver's thread when it stops, before `execute` starts refusing:
    /// the last moment to close what lives on it. Added while the driver is stopping, it
    /// runs at once.
    func whenStopping(_ hook: @escaping () -> Void)
}

extension Duration {
    /// Milliseconds for an epoll timeout, rounded up so a timer never fires early.
    public var epollTimeout: Int32 {
        if self <= .zero { return 0 }
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
