import CLinux
import Glibc
import IOLoop

/// What an event loop keeps for descriptors it does not own (another module's sockets, such
/// as a PostgreSQL pool's connections): handlers by token, one-shot timers, stop hooks.
/// Loop thread only.
struct LoopIO {
    /// Set in a foreign registration's epoll data. The listener and the HTTP connections
    /// store the bare fd, whose upper 32 bits are zero, so the kinds cannot be mistaken for
    /// each other whatever the numbers.
    static let foreignTag: UInt64 = 1 << 63
    /// The wake eventfd's whole epoll data: neither a bare fd nor a foreign token.
    static let wakeTag: UInt64 = 1 << 62

    var handlers: [UInt64: any IOHandler] = [:]
    var nextToken: UInt64 = 0
    var timers = TimerQueue()
    var stopHooks: [() -> Void] = []
    var stopping = false
    /// Set once the loop has closed its inbox: `execute` refuses from then on, here too.
    var finished = false

    /// The epoll timeout: `atMost`, or less when a timer falls due sooner.
    mutating func waitTimeout(atMost limit: Int32) -> Int32 {
        guard let deadline = timers.nextDeadline else { return limit }
        return min(limit, ContinuousClock.now.duration(to: deadline).epollTimeout)
    }

}

/// The loop as an `IODriver`, so a module it knows nothing of (the PostgreSQL pool) can run
/// its sockets and timers here and a task on this loop reaches them with no thread hop.
extension EventLoop: IODriver {
    var isCurrent: Bool { isOnLoopThread }

    /// `data` is the epoll data as `watch` stored it, tag included. The handler is looked
    /// up first and called after: it may watch, unregister or schedule, which change `io`,
    /// and Swift's exclusivity checks forbid that inside a method of `io` (it trapped).
    func dispatchForeign(data: UInt64, events: UInt32) {
        // A handler that went away earlier in this round finds nothing: tokens are not reused.
        let handler = io.handlers[data & ~LoopIO.foreignTag]
        handler?.ioReady(events: events)
    }

    /// Popped before running, for the same reason: an action may schedule or cancel timers.
    func fireTimers() {
        let due = io.timers.popExpired(now: .now)
        for action in due { action() }
    }

    @discardableResult
    func execute(_ job: @escaping IOJob) -> Bool {
        if isOnLoopThread {
            guard !io.finished else { return false }
            job()
            return true
        }
        let outcome = foreignJobs.withLock { queue -> (accepted: Bool, wasEmpty: Bool) in
            if queue.closed { return (false, false) }
            queue.closures.append(job)
            return (true, queue.closures.count + queue.jobs.count == 1)
        }
        if outcome.wasEmpty { wake() }
        return outcome.accepted
    }

    func register(_ handler: any IOHandler) -> UInt64 {
        io.nextToken += 1
        io.handlers[io.nextToken] = handler
        return io.nextToken
    }

    func unregister(_ token: UInt64) {
        io.handlers[token] = nil
    }

    /// MOD before ADD, as `ThreadReactor.watch`: a descriptor closed behind our back (libpq
    /// trying the next host) leaves epoll, and a new one may reuse its number.
    func watch(fd: Int32, token: UInt64, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = LoopIO.foreignTag | token
        if epoll_ctl(epollDescriptor, EPOLL_CTL_MOD, fd, &event) != 0 {
            _ = epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, fd, &event)
        }
    }

    func unwatch(fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epollDescriptor, EPOLL_CTL_DEL, fd, &event)
    }

    func schedule(after delay: Duration, _ action: @escaping () -> Void) -> UInt64 {
        io.timers.schedule(at: .now + delay, action)
    }

    func cancelTimer(_ id: UInt64) {
        io.timers.cancel(id)
    }

    /// Once the hooks have begun (a registration that arrived while the loop was stopping)
    /// the hook runs at once: it is on this thread, and later would be never.
    func whenStopping(_ hook: @escaping () -> Void) {
        if io.stopping { return hook() }
        io.stopHooks.append(hook)
    }

    /// The end of `run`, after the HTTP connections closed: stop hooks close foreign
    /// descriptors while this thread can still drive them, the tasks they resume (with
    /// `.closed`) get one more round here, then the inbox closes. Closures accepted before
    /// that still run, on this thread; task jobs go to the global executor.
    func finishForeignIO() {
        io.stopping = true
        let hooks = io.stopHooks
        io.stopHooks = []
        for hook in hooks { hook() }
        runJobs()
        let late = foreignJobs.withLock { queue -> ([UnownedJob], [IOJob]) in
            queue.closed = true
            defer {
                queue.jobs.removeAll()
                queue.closures.removeAll()
            }
            return (queue.jobs, queue.closures)
        }
        io.finished = true
        for closure in late.1 { closure() }
        for job in late.0 { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        io.handlers.removeAll()
        io.timers = TimerQueue()
    }
}
