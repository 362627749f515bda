import CLinux
import Glibc
import IOLoop
import Locking
import Synchronization

/// One epoll thread of the client. It owns its exchanges outright: only this thread
/// touches an exchange after it is handed over, so exchange state needs no locks (the same
/// confinement as the server's loops, docs/adr/0001). Other threads reach it through
/// `execute`, which wakes it with an eventfd. Sockets are level-triggered and re-armed
/// with EPOLL_CTL_MOD for whatever the exchange waits for next (a TLS read may need the
/// socket writable); deadlines are checked after every wake-up.
final class ClientLoop: @unchecked Sendable {
    typealias Job = @Sendable () -> Void

    private struct Inbox {
        var jobs: [Job] = []
        var stopped = false
    }

    private let epoll: WakeableEpoll
    private let inbox = Locked(Inbox())
    private let stopRequested = Atomic<Bool>(false)

    // Loop-thread state.
    private var exchanges: [UInt64: Exchange] = [:]
    private(set) var stopping = false
    /// Scratch space for reads, shared by the loop's exchanges: an exchange holds only
    /// what its parser keeps.
    let readBuffer: UnsafeMutableRawBufferPointer

    init() throws(HTTPClientError) {
        do {
            epoll = try WakeableEpoll()
        } catch {
            throw .io("cannot create the client's epoll instance (\(error.call): errno \(error.errno))")
        }
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        let started = LoopThread.start(named: "http-client") { [self] in run() }
        guard started == 0 else { throw .io("cannot start the client's event loop thread (error \(started))") }
    }

    deinit {
        readBuffer.deallocate()
        epoll.close()
    }

    /// Runs `job` on the loop thread; false (the job dropped) once the loop has stopped.
    @discardableResult
    func execute(_ job: @escaping Job) -> Bool {
        let wake: Bool? = inbox.withLock { inbox in
            if inbox.stopped { return nil }
            inbox.jobs.append(job)
            return inbox.jobs.count == 1
        }
        guard let wake else { return false }
        if wake { signal() }
        return true
    }

    /// Fails every exchange with `.shutDown` and ends the thread.
    func stop() {
        stopRequested.store(true, ordering: .releasing)
        signal()
    }

    private func signal() { epoll.wake() }

    // MARK: Exchanges and sockets (loop thread only)

    func adopt(_ exchange: Exchange) {
        exchanges[exchange.token] = exchange
    }

    func forget(_ exchange: Exchange) {
        exchanges[exchange.token] = nil
    }

    func exchange(_ token: UInt64) -> Exchange? { exchanges[token] }

    func watch(fd: Int32, token: UInt64, events: UInt32, adding: Bool) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        return epoll_ctl(epoll.epollFD, adding ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) == 0
    }

    func unwatch(fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epoll.epollFD, EPOLL_CTL_DEL, fd, &event)
    }

    // MARK: The loop

    private func run() {
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 64)
        defer { events.deallocate() }
        while !stopRequested.load(ordering: .acquiring) {
            let polled = epoll.wait(timeout: waitTimeout(), into: events) { token, ready in
                // Tokens are never reused, so an event for an exchange that finished
                // earlier in this round finds nothing.
                exchanges[token]?.socketReady(events: ready)
            }
            guard polled else { break }
            runJobs()
            expireDeadlines()
        }
        stopping = true
        for exchange in Array(exchanges.values) { exchange.fail(.shutDown) }
        let late = inbox.withLock { inbox in
            inbox.stopped = true
            defer { inbox.jobs = [] }
            return inbox.jobs
        }
        // Late starts see `stopping` and fail at once; late cancels find nothing.
        for job in late { job() }
    }


    private func runJobs() {
        let jobs = inbox.withLock { inbox in
            defer { inbox.jobs = [] }
            return inbox.jobs
        }
        for job in jobs { job() }
    }

    private func expireDeadlines() {
        let now = ContinuousClock.now
        for exchange in Array(exchanges.values) where exchange.deadline <= now {
            exchange.fail(.timeout)
        }
    }

    /// Milliseconds to the nearest deadline, rounded up so a deadline is never checked
    /// early; -1 to sleep until a socket or a job wakes the loop. A linear scan: a loop
    /// holds as many exchanges as deliveries in flight (`WORKER_CONCURRENCY`), not thousands.
    private func waitTimeout() -> Int32 {
        guard let nearest = exchanges.values.lazy.map(\.deadline).min() else { return -1 }
        let remaining = ContinuousClock.now.duration(to: nearest)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
