import CLinux
import Glibc
import Locking
import Synchronization

/// A driver with a thread of its own: an epoll loop over its handlers' descriptors, an
/// inbox of jobs other threads hand it, and one-shot timers. The PostgreSQL pool runs its
/// connections on one for every caller that is not on an HTTP event loop.
///
/// `@unchecked Sendable`: other threads touch only the inbox (a lock), `threadID` (an
/// `Atomic`) and the eventfd; every other field belongs to the reactor thread.
public final class ThreadReactor: IODriver, @unchecked Sendable {
    /// Why the reactor could not start; the caller words it for its own users.
    public struct StartError: Error, Sendable {
        public let message: String
    }

    private struct Inbox {
        var jobs: [IOJob] = []
        var stopped = false
    }

    private let epoll: WakeableEpoll
    private let inbox = Locked(Inbox())
    /// The reactor thread's pthread_t while it runs, 0 otherwise: a finished thread's id
    /// may be handed to a new thread, which must not pass for this one.
    private let threadID = Atomic<UInt>(0)

    // Reactor-thread state.
    private var handlers: [UInt64: any IOHandler] = [:]
    private var nextToken: UInt64 = 1  // 0 is `WakeableEpoll.wakeToken`
    private var timers = TimerQueue()
    private var stopRequested = false
    private var onStopped: (@Sendable () -> Void)?
    private var stopHooks: [() -> Void] = []
    private var stopping = false
    /// Set on the reactor thread when the inbox closes: from then on `execute` refuses
    /// there too, as it does everywhere else.
    private var finished = false

    public init() throws(StartError) {
        do {
            epoll = try WakeableEpoll()
        } catch {
            throw StartError(message: "cannot create the reactor's epoll instance (\(error.call): errno \(error.errno))")
        }
        // Nobody joins: `stop` reports the end of the loop through its callback instead,
        // so shutting down never blocks a caller's thread.
        let started = LoopThread.start(named: "io-reactor") { [self] in run() }
        guard started == 0 else { throw StartError(message: "cannot start the reactor thread (error \(started))") }
    }

    deinit {
        epoll.close()
    }

    public var isCurrent: Bool {
        let reactorThread = threadID.load(ordering: .acquiring)
        return reactorThread != 0 && pthread_equal(reactorThread, pthread_self()) != 0
    }

    @discardableResult
    public func execute(_ job: @escaping IOJob) -> Bool {
        if isCurrent {
            guard !finished else { return false }
            job()
            return true
        }
        let wake: Bool? = inbox.withLock { inbox in
            if inbox.stopped { return nil }
            inbox.jobs.append(job)
            return inbox.jobs.count == 1
        }
        guard let wake else { return false }
        if wake { epoll.wake() }
        return true
    }

    /// Ends the loop after the current round (reactor thread only); jobs already accepted
    /// still run, then the stop hooks, then `onStopped`.
    public func stop(then onStopped: @escaping @Sendable () -> Void) {
        stopRequested = true
        self.onStopped = onStopped
    }

    // MARK: Descriptors and timers (reactor thread only)

    public func register(_ handler: any IOHandler) -> UInt64 {
        nextToken += 1
        handlers[nextToken] = handler
        return nextToken
    }

    /// Tries MOD before ADD: libpq may close a socket and open another that reuses the same
    /// number, and closing removes it from epoll behind our back.
    public func watch(fd: Int32, token: UInt64, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        if epoll_ctl(epoll.epollFD, EPOLL_CTL_MOD, fd, &event) != 0 {
            _ = epoll_ctl(epoll.epollFD, EPOLL_CTL_ADD, fd, &event)
        }
    }

    public func unwatch(fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epoll.epollFD, EPOLL_CTL_DEL, fd, &event)
    }

    public func unregister(_ token: UInt64) {
        handlers[token] = nil
    }

    public func schedule(after delay: Duration, _ action: @escaping () -> Void) -> UInt64 {
        timers.schedule(at: .now + delay, action)
    }

    public func cancelTimer(_ id: UInt64) {
        timers.cancel(id)
    }

    /// Once the hooks have begun the hook runs at once: later would be never.
    public func whenStopping(_ hook: @escaping () -> Void) {
        if stopping { return hook() }
        stopHooks.append(hook)
    }

    // MARK: The loop

    private func run() {
        threadID.store(pthread_self(), ordering: .releasing)
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 64)
        defer { events.deallocate() }
        while !stopRequested {
            let polled = epoll.wait(timeout: waitTimeout(), into: events) { token, ready in
                // Events for a handler that went away earlier in this round are dropped.
                handlers[token]?.ioReady(events: ready)
            }
            guard polled else { break }
            runJobs()
            for action in timers.popExpired(now: .now) { action() }
        }
        runJobs()
        stopping = true
        let hooks = stopHooks
        stopHooks = []
        for hook in hooks { hook() }
        let late = inbox.withLock { inbox in
            inbox.stopped = true
            defer { inbox.jobs = [] }
            return inbox.jobs
        }
        finished = true
        for job in late { job() }
        handlers.removeAll()
        threadID.store(0, ordering: .releasing)
        onStopped?()
    }


    private func runJobs() {
        let jobs = inbox.withLock { inbox in
            defer { inbox.jobs = [] }
            return inbox.jobs
        }
        for job in jobs { job() }
    }

    /// -1 (sleep until a descriptor or the inbox wakes the loop) when no timer is set.
    private func waitTimeout() -> Int32 {
        guard let deadline = timers.nextDeadline else { return -1 }
        return ContinuousClock.now.duration(to: deadline).epollTimeout
    }
}
