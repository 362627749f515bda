import CLinux
import Glibc
import Synchronization

/// An object living on the reactor thread that is told when its socket is ready.
protocol SocketHandler: AnyObject {
    func socketReady(events: UInt32)
}

/// The one thread of a pool that talks to libpq: an epoll loop over the pool's sockets, an
/// inbox of jobs other threads hand it, and one-shot timers (acquire waits, statement
/// deadlines, reconnect delays).
///
/// Everything except `execute` and `isStopped` must be called on the reactor thread: that
/// confinement is what makes `@unchecked Sendable` true, and it is why no lock guards the
/// pool's or the connections' state.
final class Reactor: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private struct Inbox {
        var jobs: [Job] = []
        var stopped = false
    }

    private let epollFD: Int32
    private let wakeFD: Int32
    private let inbox = Mutex(Inbox())

    // Reactor-thread state.
    private var handlers: [UInt64: SocketHandler] = [:]
    private var nextToken: UInt64 = 1  // token 0 is the wake-up eventfd
    private var timers = TimerQueue()
    private var stopRequested = false
    private var onStopped: (@Sendable () -> Void)?

    init() throws(PostgresError) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epollFD >= 0, wakeFD >= 0 else {
            throw .connectionFailed("cannot create the reactor's epoll instance (errno \(errno))")
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = 0
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)

        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<Reactor>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<Reactor>.fromOpaque(context).release()
            throw .connectionFailed("cannot start the reactor thread (error \(started))")
        }
        // Nobody joins: `stop` reports the end of the loop through its callback instead,
        // so shutting down never blocks a caller's thread.
        pthread_detach(thread)
    }

    deinit {
        close(epollFD)
        close(wakeFD)
    }

    /// Runs `job` on the reactor thread. Returns `false`, dropping the job, once the reactor
    /// has stopped; the caller then fails whatever was waiting on it with `.closed`.
    @discardableResult
    func execute(_ job: @escaping Job) -> Bool {
        let wake: Bool? = withInbox { inbox in
            if inbox.stopped { return nil }
            inbox.jobs.append(job)
            return inbox.jobs.count == 1
        }
        guard let wake else { return false }
        if wake {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
        return true
    }

    /// Ends the loop after the current round; jobs already accepted still run.
    func stop(then onStopped: @escaping @Sendable () -> Void) {
        stopRequested = true
        self.onStopped = onStopped
    }

    // MARK: Sockets and timers (reactor thread only)

    func register(_ handler: SocketHandler) -> UInt64 {
        nextToken += 1
        handlers[nextToken] = handler
        return nextToken
    }

    /// Watches `fd` for `events` on behalf of the handler with `token`. Tries MOD before ADD:
    /// libpq may close a socket and open another that reuses the same number, and closing
    /// removes it from epoll behind our back.
    func watch(fd: Int32, token: UInt64, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        if epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) != 0 {
            _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
        }
    }

    /// Stops watching `fd`; call before libpq closes it so a reused number cannot inherit it.
    func unwatch(fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, &event)
    }

    func unregister(_ token: UInt64) {
        handlers[token] = nil
    }

    func schedule(after delay: Duration, _ action: @escaping () -> Void) -> UInt64 {
        timers.schedule(at: .now + delay, action)
    }

    func cancelTimer(_ id: UInt64) {
        timers.cancel(id)
    }

    // MARK: The loop

    private func run() {
        let capacity = 64
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while !stopRequested {
            let count = epoll_wait(epollFD, events, Int32(capacity), waitTimeout())
            if count < 0 && errno != EINTR { break }
            for index in 0..<Int(max(count, 0)) {
                let token = events[index].data.u64
                if token == 0 {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                } else {
                    // Events for a handler that went away earlier in this round are dropped:
                    // tokens are never reused, unlike file descriptor numbers.
                    handlers[token]?.socketReady(events: events[index].events)
                }
            }
            runJobs()
            for action in timers.popExpired(now: .now) { action() }
        }
        let late = withInbox { inbox in
            inbox.stopped = true
            defer { inbox.jobs = [] }
            return inbox.jobs
        }
        for job in late { job() }
        handlers.removeAll()
        onStopped?()
    }

    /// `inbox.withLock`, with the ordering declared to ThreadSanitizer, which cannot see a
    /// contended `Mutex` (as `EventLoop.withForeignJobs`; no-ops without TSan).
    private func withInbox<R: Sendable>(_ body: (inout Inbox) -> R) -> R {
        let token = Unmanaged.passUnretained(self).toOpaque()
        return inbox.withLock { inbox in
            clinux_tsan_acquire(token)
            defer { clinux_tsan_release(token) }
            return body(&inbox)
        }
    }

    private func runJobs() {
        let jobs = withInbox { inbox in
            defer { inbox.jobs = [] }
            return inbox.jobs
        }
        for job in jobs { job() }
    }

    /// Milliseconds until the next timer, rounded up so a timer never fires early; -1 to
    /// sleep until a socket or the inbox wakes the loop.
    private func waitTimeout() -> Int32 {
        guard let deadline = timers.nextDeadline else { return -1 }
        let remaining = ContinuousClock.now.duration(to: deadline)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
