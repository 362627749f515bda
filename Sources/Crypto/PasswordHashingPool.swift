import Foundation

/// Runs `PasswordHasher` work on a few dedicated threads, so that scrypt's tens of
/// milliseconds of CPU never block an HTTP event loop or a thread of Swift's cooperative
/// pool (which has only one thread per core: two concurrent logins would stall every task).
///
/// Callers `await`; their threads are released while a job waits. Jobs run in FIFO order.
/// When `maxQueueLength` jobs are already waiting (not counting those running), a new one is
/// refused at once with `PasswordHashError.overloaded` instead of queueing without bound, so a
/// login flood degrades into fast 503s rather than unbounded latency and memory.
public final class PasswordHashingPool: Sendable {
    /// The hasher every job uses.
    public let hasher: PasswordHasher
    private let queue: PasswordJobQueue

    /// Starts `threadCount` worker threads (at least one). Two suits a 2-core machine: it
    /// bounds hashing to the cores while the rest of the server keeps serving. Every job
    /// passes through the queue, so `maxQueueLength` is at least one.
    public init(hasher: PasswordHasher = PasswordHasher(), threadCount: Int = 2,
                maxQueueLength: Int = 256) {
        self.hasher = hasher
        queue = PasswordJobQueue(maxQueueLength: max(1, maxQueueLength))
        for index in 0..<max(1, threadCount) {
            let thread = Thread { [queue] in queue.runWorker() }
            thread.name = "password-hashing-\(index)"
            thread.start()
        }
    }

    deinit {
        queue.shutDown()
    }

    /// `PasswordHasher.hash(_:)` on a pool thread.
    public func hash(_ password: String) async throws(PasswordHashError) -> String {
        let hasher = self.hasher
        return try await run { () throws(PasswordHashError) in try hasher.hash(password) }
    }

    /// `PasswordHasher.verify(_:against:)` on a pool thread.
    public func verify(_ password: String, against stored: String) async throws(PasswordHashError)
        -> Bool
    {
        let hasher = self.hasher
        return try await run { () throws(PasswordHashError) in
            try hasher.verify(password, against: stored)
        }
    }

    /// `PasswordHasher.dummyVerify(_:)` on a pool thread: await it for an unknown user so
    /// the answer takes as long as for a known one (it queues the same way, too).
    @discardableResult
    public func dummyVerify(_ password: String) async throws(PasswordHashError) -> Bool {
        let hasher = self.hasher
        return try await run { () throws(PasswordHashError) in
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

    /// Runs `work` on a pool thread. Internal so tests can submit jobs they control.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws(PasswordHashError) -> T)
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
                let job = PasswordJobQueue.Job(id: id) { outcome in
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

/// The FIFO of waiting jobs, shared by the pool's threads; one lock, one condition.
/// `@unchecked Sendable`: every mutable field is read and written only with `condition` held.
final class PasswordJobQueue: @unchecked Sendable {

    enum Outcome {
        case run
        case refuse(PasswordHashError)
    }

    struct Job {
        let id: UInt64
        /// Called exactly once, on a pool thread (`.run`) or on the caller's (`.refuse`).
        let complete: @Sendable (Outcome) -> Void
    }

    private let condition = NSCondition()
    private let maxQueueLength: Int
    private var waiting: [Job] = []
    private var head = 0
    private var isShutDown = false
    private var lastJobID: UInt64 = 0

    init(maxQueueLength: Int) {
        self.maxQueueLength = maxQueueLength
    }

    var waitingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiting.count - head
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
        let refusal: PasswordHashError? =
            isShutDown ? .shutDown : (waiting.count - head >= maxQueueLength ? .overloaded : nil)
        if refusal == nil {
            waiting.append(job)
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
        if let index = waiting[head...].firstIndex(where: { $0.id == id }) {
            removed = waiting.remove(at: index)
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

    /// A worker thread's whole life: take the oldest job, run it, repeat; return once shut
    /// down and drained.
    func runWorker() {
        while let job = next() {
            job.complete(.run)
        }
    }

    private func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == waiting.count && !isShutDown {
            condition.wait()
        }
        guard head < waiting.count else { return nil }
        let job = waiting[head]
        head += 1
        // Drop taken jobs now and then so the array does not grow for ever.
        if head >= 64 && head * 2 >= waiting.count {
            waiting.removeFirst(head)
            head = 0
        }
        return job
    }
}
