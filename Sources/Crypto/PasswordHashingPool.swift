import Foundation

/// Runs `PasswordHasher` work on a few dedicated threads, so that scrypt's tens of
/// milliseconds of CPU never block an HTTP event loop or a thread of Swift's cooperative
/// pool (which has only one thread per core: two concurrent logins would stall every task).
///
/// Callers `await`; their threads are released while a job waits. Each job names its client
/// (the application passes the caller's IP): every client has its own FIFO, and the threads
/// serve the clients with waiting jobs round robin, so one client's flood delays the others
/// by at most one job each turn. A job is refused at once with `PasswordHashError.overloaded`
/// when its client already has `maxQueuedPerClient` jobs waiting, or when `maxQueueLength`
/// jobs wait in all: a flood degrades into fast 503s for the flooding client, rather than
/// unbounded latency and memory, or 503s for everyone.
public final class PasswordHashingPool: Sendable {
    /// The hasher every job uses.
    public let hasher: PasswordHasher
    private let queue: PasswordJobQueue

    /// Starts `threadCount` worker threads (at least one). Two suits a 2-core machine: it
    /// bounds hashing to the cores while the rest of the server keeps serving. Every job
    /// passes through the queue, so both limits are at least one.
    public init(hasher: PasswordHasher = PasswordHasher(), threadCount: Int = 2,
                maxQueueLength: Int = 256, maxQueuedPerClient: Int = 8) {
        self.hasher = hasher
        queue = PasswordJobQueue(maxQueueLength: max(1, maxQueueLength), maxPerClient: max(1, maxQueuedPerClient))
        for index in 0..<max(1, threadCount) {
            let thread = Thread { [queue] in
                // Set from inside the thread: only then does Foundation pass it to the kernel, where
                // `top -H`, `perf` and /proc show it (15 bytes at most).
                Thread.current.name = "pw-hash-\(index)"
                queue.runWorker()
            }
            thread.start()
        }
    }

    deinit {
        queue.shutDown()
    }

    /// `PasswordHasher.hash(_:)` on a pool thread.
    public func hash(_ password: String, client: String = "") async throws(PasswordHashError) -> String {
        let hasher = self.hasher
        return try await run(client: client) { () throws(PasswordHashError) in try hasher.hash(password) }
    }

    /// `PasswordHasher.verify(_:against:)` on a pool thread.
    public func verify(_ password: String, against stored: String, client: String = "") async throws(PasswordHashError)
        -> Bool
    {
        let hasher = self.hasher
        return try await run(client: client) { () throws(PasswordHashError) in
            try hasher.verify(password, against: stored)
        }
    }

    /// `PasswordHasher.dummyVerify(_:)` on a pool thread: await it for an unknown user so
    /// the answer takes as long as for a known one (it queues, and is refused, the same way).
    @discardableResult
    public func dummyVerify(_ password: String, client: String = "") async throws(PasswordHashError) -> Bool {
        let hasher = self.hasher
        return try await run(client: client) { () throws(PasswordHashError) in
            try hasher.dummyVerify(password)
        }
    }

    /// `PasswordHasher.needsRehash(_:)`; cheap (parsing only), so it runs inline.
    public func needsRehash(_ stored: String) -> Bool {
        hasher.needsRehash(stored)
    }

    /// Refuses new jobs with `.shutDown`; jobs already queued still run, then the threads
    /// exit. Also happens when the pool is released.
    public func shutDown() {
        queue.shutDown()
    }

    /// Jobs waiting for a thread (not counting running ones); for tests and metrics.
    var queuedJobCount: Int { queue.waitingCount }

    /// Runs `work` on a pool thread, queued as `client`'s. Internal so tests can submit jobs
    /// they control.
    func run<T: Sendable>(client: String = "", _ work: @escaping @Sendable () throws(PasswordHashError) -> T)
        async throws(PasswordHashError) -> T
    {
        let id = queue.makeJobID()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation {
                (continuation: CheckedContinuation<Result<T, PasswordHashError>, Never>) in
                if Task.isCancelled {
                    continuation.resume(returning: .failure(.cancelled))
                    return
                }
                let job = PasswordJobQueue.Job(id: id, client: client) { outcome in
                    switch outcome {
                    case .run:
                        continuation.resume(returning: Result(catching: work))
                    case .refuse(let error):
                        continuation.resume(returning: .failure(error))
                    }
                }
                queue.enqueue(job)
            }
        } onCancel: {
            queue.cancel(id)
        }
        return try result.get()
    }
}

/// The waiting jobs, one FIFO per client served round robin, shared by the pool's threads;
/// one lock, one condition. `@unchecked Sendable`: every mutable field is read and written
/// only with `condition` held.
final class PasswordJobQueue: @unchecked Sendable {

    enum Outcome {
        case run
        case refuse(PasswordHashError)
    }

    struct Job {
        let id: UInt64
        let client: String
        /// Called exactly once, on a pool thread (`.run`) or on the caller's (`.refuse`).
        let complete: @Sendable (Outcome) -> Void
    }

    private let condition = NSCondition()
    private let maxQueueLength: Int
    private let maxPerClient: Int
    /// Waiting jobs by client; a client is present only while it has some.
    private var byClient: [String: [Job]] = [:]
    /// Clients with waiting jobs, in serving order; `turn` is the next to serve.
    private var ring: [String] = []
    private var turn = 0
    private var waiting = 0
    private var isShutDown = false
    private var lastJobID: UInt64 = 0

    init(maxQueueLength: Int, maxPerClient: Int = .max) {
        self.maxQueueLength = maxQueueLength
        self.maxPerClient = maxPerClient
    }

    var waitingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiting
    }

    func makeJobID() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        lastJobID += 1
        return lastJobID
    }

    /// Queues `job`, or completes it at once with `.overloaded` / `.shutDown`.
    func enqueue(_ job: Job) {
        condition.lock()
        let queued = byClient[job.client]?.count ?? 0
        let refusal: PasswordHashError? =
            isShutDown ? .shutDown : (waiting >= maxQueueLength || queued >= maxPerClient ? .overloaded : nil)
        if refusal == nil {
            // A client new to the ring waits a full round, behind those already waiting.
            if queued == 0 { ring.insert(job.client, at: turn); turn += 1 }
            byClient[job.client, default: []].append(job)
            waiting += 1
            condition.signal()
        }
        condition.unlock()
        // Complete outside the lock: resuming a continuation must not run under it.
        if let refusal { job.complete(.refuse(refusal)) }
    }

    /// Takes a still-waiting job out of the queue and completes it with `.cancelled`; a job
    /// already running is left to finish (scrypt cannot be interrupted).
    func cancel(_ id: UInt64) {
        condition.lock()
        var removed: Job?
        for (client, jobs) in byClient {
            guard let index = jobs.firstIndex(where: { $0.id == id }) else { continue }
            removed = jobs[index]
            if jobs.count == 1 { removeFromRing(client) } else { byClient[client]?.remove(at: index) }
            waiting -= 1
            break
        }
        condition.unlock()
        removed?.complete(.refuse(.cancelled))
    }

    func shutDown() {
        condition.lock()
        isShutDown = true
        condition.broadcast()
        condition.unlock()
    }

    /// A worker thread's whole life: take the next client's oldest job, run it, repeat;
    /// return once shut down and drained.
    func runWorker() {
        while let job = next() {
            job.complete(.run)
        }
    }

    private func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            while waiting == 0 && !isShutDown {
                condition.wait()
            }
            guard waiting > 0, !ring.isEmpty else { return nil }
            if turn >= ring.count { turn = 0 }
            let client = ring[turn]
            guard var jobs = byClient[client], !jobs.isEmpty else {
                removeFromRing(client)
                continue
            }
            let job = jobs.removeFirst()
            waiting -= 1
            if jobs.isEmpty {
                removeFromRing(client)
            } else {
                byClient[client] = jobs
                turn += 1
            }
            return job
        }
    }

    /// Forgets a client with no waiting jobs, keeping `turn` on the client that was next.
    private func removeFromRing(_ client: String) {
        byClient[client] = nil
        guard let index = ring.firstIndex(of: client) else { return }
        ring.remove(at: index)
        if index < turn { turn -= 1 }
    }
}
