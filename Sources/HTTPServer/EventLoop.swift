import CLinux
import Glibc
import HTTPCore
import IOLoop
import Locking
import Synchronization

/// One epoll thread. It owns its connections outright: only this thread reads, writes or
/// mutates them, so connection state needs no locks. Other threads reach it through
/// `enqueue` (task jobs) and `execute` (closures), which wake it with an eventfd. It also
/// lends its epoll set and timers to other modules as an `IODriver` (EventLoop+IODriver.swift).
///
/// `@unchecked Sendable`: what other threads touch is a lock (`foreignJobs`), an
/// `Atomic` (`stopped`, `threadID`), immutable (`executor` is made in `init`), or the eventfd.
/// Every other mutable field belongs to the loop's thread (confinement, not a lock).
final class EventLoop: @unchecked Sendable {
    let index: Int
    let server: ServerCore
    /// The epoll set and the eventfd that wakes it. The eventfd's data is `LoopIO.wakeTag`.
    private let epoll: WakeableEpoll
    var epollDescriptor: Int32 { epoll.epollFD }
    private(set) lazy var executor = EventLoopExecutor(loop: self)

    /// Jobs from other threads. `closed` is set under the same lock as the final drain, so
    /// a job is either run here or forwarded to the global executor, never lost.
    struct ForeignJobs {
        var jobs: [UnownedJob] = []
        var closures: [IOJob] = []
        var closed = false
    }
    let foreignJobs = Locked(ForeignJobs())
    private let stopped = Atomic<Bool>(false)
    private var localJobs: [UnownedJob] = []
    /// True while `runJobs` runs jobs: answers are then only queued, and sent together
    /// when the batch is done (`deferredWrites`, in the order they were finished).
    private(set) var deferringWrites = false
    var deferredWrites: [Connection] = []
    /// Swapped with `deferredWrites`, so neither allocates once both have grown.
    private var writesToFlush: [Connection] = []
    /// The loop thread's pthread_t once `run` has begun, 0 before. Atomic because any thread
    /// asks `isOnLoopThread` while the loop thread sets it: a plain field was a data race.
    /// Reset to 0 when `run` ends: a finished thread's id may be handed to a new thread.
    let threadID = Atomic<UInt>(0)
    /// Descriptors, timers and stop hooks of other modules (loop thread only).
    var io = LoopIO()
    private var connections: [Int32: Connection] = [:]
    /// Connections this loop owns or has been handed and not yet taken in: what the
    /// accepting loop compares to spread new connections. Any thread reads it.
    let assignedConnections = Atomic<Int>(0)
    var openConnections: Dictionary<Int32, Connection>.Values { connections.values }
    private var listening = true
    /// Out of descriptors: the listener is out of this loop's epoll until then, because a
    /// level-triggered listener that cannot be accepted from wakes the loop at once, for ever.
    private var acceptPausedUntil: Int64?
    private var stopWhenEmpty = false

    /// Monotonic milliseconds, refreshed once per loop iteration.
    private(set) var now: Int64 = Sys.monotonicMilliseconds()
    /// Shared scratch space for `read`, so an idle connection owns no buffer of its own.
    let readBuffer: UnsafeMutableRawBufferPointer
    private var cachedDateSecond = -1
    private(set) var cachedDate = ""
    private var lastSweep: Int64 = 0

    init(index: Int, server: ServerCore) throws {
        self.index = index
        self.server = server
        do {
            epoll = try WakeableEpoll(token: LoopIO.wakeTag)
        } catch {
            throw SystemError(call: error.call, errno: error.errno)
        }
        guard Sys.epollControl(epoll.epollFD, EPOLL_CTL_ADD, server.listenFD, events: EventLoop.listenEvents) == 0 else {
            let error = SystemError(call: "epoll_ctl(listen)", errno: errno)
            epoll.close()
            throw error
        }
        // Last: while a stored property is unset a throw above skips `deinit`. Had they all
        // been set, Swift would run it and close the two descriptors a second time.
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        // Made now, before another thread can see this loop: a lazy property is not
        // thread-safe, and `execute` reads it from any thread.
        _ = executor
    }

    /// EPOLLEXCLUSIVE: each new connection wakes one loop, which spreads accepts.
    private static let listenEvents = EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue

    deinit {
        readBuffer.deallocate()
        epoll.close()
    }

    var isOnLoopThread: Bool {
        let loopThread = threadID.load(ordering: .acquiring)
        return loopThread != 0 && pthread_equal(loopThread, pthread_self()) != 0
    }

    // MARK: - Jobs

    func enqueue(_ job: UnownedJob) {
        if isOnLoopThread {
            localJobs.append(job)
            return
        }
        let outcome = foreignJobs.withLock { queue -> (accepted: Bool, wasEmpty: Bool) in
            if queue.closed { return (false, false) }
            queue.jobs.append(job)
            return (true, queue.jobs.count == 1)
        }
        if !outcome.accepted {
            // A task still running after its loop stopped finishes on the global executor.
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        } else if outcome.wasEmpty {
            wake()
        }
    }


    func wake() {
        epoll.wake()
    }

    /// Runs queued jobs; returns true when some are still waiting. Bounded so a task that
    /// keeps rescheduling itself cannot starve socket events.
    ///
    /// The answers the jobs finish are sent after the whole batch, not one by one. Each send
    /// on loopback wakes the client at once, and a client on the same cores (wrk, a proxy)
    /// then preempted the loop in the middle of its batch: one pair of context switches per
    /// answer instead of per batch. Sending together cut the server's CPU per request
    /// through the full chain by a fifth (docs/benchmarks.md).
    @discardableResult
    func runJobs() -> Bool {
        deferringWrites = true
        let more = runJobBatches()
        deferringWrites = false
        swap(&writesToFlush, &deferredWrites)
        for connection in writesToFlush { connection.flushDeferred() }
        writesToFlush.removeAll(keepingCapacity: true)
        // Sending may have let a pipelined request start: its job is queued now.
        return more || !localJobs.isEmpty
    }

    private func runJobBatches() -> Bool {
        var rounds = 0
        while rounds < 16 {
            let (foreign, closures) = foreignJobs.withLock { queue -> ([UnownedJob], [IOJob]) in
                let taken = (queue.jobs, queue.closures)
                queue.jobs.removeAll(keepingCapacity: true)
                queue.closures.removeAll(keepingCapacity: true)
                return taken
            }
            if foreign.isEmpty && closures.isEmpty && localJobs.isEmpty { return false }
            for closure in closures { closure() }
            let batch = localJobs + foreign
            localJobs.removeAll(keepingCapacity: true)
            let unownedExecutor = executor.asUnownedTaskExecutor()
            for job in batch { job.runSynchronously(on: unownedExecutor) }
            rounds += 1
        }
        return true
    }

    // MARK: - The loop

    func run() {
        threadID.store(pthread_self(), ordering: .releasing)
        // The name `top -H`, `perf` and /proc show.
        clinux_set_thread_name("http-loop-\(index)")
        let maxEvents = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: maxEvents)
        defer { events.deallocate() }
        while !stopped.load(ordering: .acquiring) {
            // Jobs still queued: poll sockets without waiting, then come back to them.
            // Otherwise up to 250 ms (the sweep's pace), less when a timer is due sooner.
            let timeout: Int32 = runJobs() ? 0 : io.waitTimeout(atMost: 250)
            let count = epoll_wait(epoll.epollFD, events, Int32(maxEvents), timeout)
            now = Sys.monotonicMilliseconds()
            refreshDate()
            if count < 0 {
                if errno == EINTR { continue }
                server.log(.error, "epoll_wait failed", ["errno": "\(errno)"])
                break
            }
            for i in 0..<Int(count) {
                let event = events[i]
                // Tagged first: a tagged token's low bits could equal any descriptor number.
                if event.data.u64 == LoopIO.wakeTag {
                    epoll.drain()
                    continue
                }
                if event.data.u64 & LoopIO.foreignTag != 0 {
                    dispatchForeign(data: event.data.u64, events: event.events)
                    continue
                }
                let fd = event.data.fd
                if fd == server.listenFD {
                    acceptConnections()
                } else if let connection = connections[fd] {
                    connection.handleEvents(event.events)
                }
            }
            fireTimers()
            if let until = acceptPausedUntil, now >= until { resumeAccepting() }
            if now - lastSweep >= 200 { sweep() }
        }
        for connection in Array(connections.values) { connection.close() }
        runJobs()
        finishForeignIO()
        for job in localJobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        localJobs.removeAll()
        threadID.store(0, ordering: .releasing)
        server.loopDidStop()
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        wake()
    }

    private func refreshDate() {
        let second = Sys.wallClockSeconds()
        if second != cachedDateSecond {
            cachedDateSecond = second
            cachedDate = HTTPDate.format(epochSeconds: second)
        }
    }

    // MARK: - Connections

    private func acceptConnections() {
        guard listening else { return }
        // A bounded batch per wake keeps accepts spread across loops under a burst.
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    server.acceptCall(server.listenFD, $0, &length)
                }
            }
            if fd < 0 {
                if -fd == EMFILE || -fd == ENFILE || -fd == ENOBUFS || -fd == ENOMEM { pauseAccepting(code: -fd) }
                return
            }
            server.descriptorsAvailable()
            guard server.reserveConnectionSlot() else {
                Glibc.close(fd)
                continue
            }
            Sys.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY)
            let remoteAddress = Sys.addressString(storage)
            // The listener wakes whichever loop is idle, and that loop takes the whole
            // burst: wrk's 64 connections all landed on one loop, the other stayed idle.
            // So each connection goes to the loop with the fewest, counted when assigned.
            let target = server.loopWithFewestConnections(preferring: self)
            if target !== self {
                target.assignedConnections.add(1, ordering: .relaxed)
                if target.execute({ target.adopt(fd: fd, remoteAddress: remoteAddress) }) { continue }
                // That loop has stopped: keep the connection here.
                target.assignedConnections.subtract(1, ordering: .relaxed)
            }
            assignedConnections.add(1, ordering: .relaxed)
            adopt(fd: fd, remoteAddress: remoteAddress)
        }
    }

    /// Takes an accepted connection (counted in `assignedConnections` already) into this
    /// loop. One handed over once this loop began draining or stopping is closed instead:
    /// it would only hold the shutdown up, or never be served.
    func adopt(fd: Int32, remoteAddress: String) {
        let events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        guard listening, !stopped.load(ordering: .relaxed),
              Sys.epollControl(epoll.epollFD, EPOLL_CTL_ADD, fd, events: events) == 0 else {
            Glibc.close(fd)
            assignedConnections.subtract(1, ordering: .relaxed)
            server.releaseConnectionSlot()
            return
        }
        let connection = Connection(fd: fd, loop: self, remoteAddress: remoteAddress)
        connections[fd] = connection
        // The first bytes often arrive with the handshake.
        connection.handleEvents(EPOLLIN.rawValue)
    }

    func forget(_ connection: Connection) {
        connections[connection.fd] = nil
        assignedConnections.subtract(1, ordering: .relaxed)
        server.releaseConnectionSlot()
        // A descriptor was just freed: the best moment to try accepting again.
        if acceptPausedUntil != nil { resumeAccepting() }
        if stopWhenEmpty && connections.isEmpty { stop() }
    }

    private func pauseAccepting(code: Int32) {
        guard listening, acceptPausedUntil == nil else { return }
        _ = Sys.epollControl(epoll.epollFD, EPOLL_CTL_DEL, server.listenFD, events: 0)
        acceptPausedUntil = now + Int64(server.configuration.acceptBackoffMs)
        server.descriptorsExhausted(code: code)
    }

    private func resumeAccepting() {
        acceptPausedUntil = nil
        guard listening else { return }
        _ = Sys.epollControl(epoll.epollFD, EPOLL_CTL_ADD, server.listenFD, events: EventLoop.listenEvents)
    }

    /// The last step of shutdown: exit once every connection has gone.
    func stopWhenIdle() {
        stopWhenEmpty = true
        if connections.isEmpty { stop() }
    }

    /// Stops accepting and lets connections finish what they started. Runs on the loop.
    func beginDraining() {
        if listening {
            listening = false
            // Already out of epoll while accepting is paused; the DEL then fails harmlessly.
            _ = Sys.epollControl(epoll.epollFD, EPOLL_CTL_DEL, server.listenFD, events: 0)
            acceptPausedUntil = nil
        }
        for connection in Array(connections.values) { connection.drain() }
    }

    /// Applies timeouts: 408 for stalled requests, silent close for idle keep-alive.
    private func sweep() {
        lastSweep = now
        let forceClose = server.drainDeadlinePassed(now: now)
        for connection in Array(connections.values) {
            if forceClose { connection.close() } else { connection.checkTimeouts(now: now) }
        }
    }
}
