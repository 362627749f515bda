import Foundation
import Locking

/// Runs the queue's jobs in this process (ADR 0008): up to `concurrency` at once, claimed in
/// one statement per batch, each run outside any transaction with its lease renewed while it
/// runs, its outcome recorded through the claim's fence. Idle, it polls with a backoff
/// that doubles up to `maxPoll`, and an enqueue in this process wakes it at once. It also
/// rescues expired leases and enqueues the periodic jobs' runs for their current slots.
///
/// Only kinds with a handler here are claimed: a job of another kind stays `ready` (not
/// lost, no attempt spent) for an instance that knows it, e.g. during a rolling deploy;
/// `/metrics` shows it waiting.
final class JobWorker: Sendable {
    struct Tuning: Sendable {
        var concurrency: Int
        var minPoll: Duration = .milliseconds(10)
        var maxPoll: Duration = .seconds(1)
        var rescueEvery: Duration = .seconds(5)
        /// How often this instance offers the periodic jobs' current runs (one statement).
        var scheduleEvery: Duration = .seconds(30)
    }

    private struct Running: Sendable {
        let job: ClaimedJob
        let task: Task<Void, Never>
    }

    private struct State: Sendable {
        var loop: Task<Void, Never>?
        var running: [UUID: Running] = [:]
        var stopping = false
        /// The loop is waiting for a wake-up or its next poll.
        var idle = false
        var loopEnded = false
    }

    let queue: JobQueue
    let handlers: [JobKind: any JobHandler]
    let periodic: [PeriodicJob]
    let tuning: Tuning
    let attempts: JobAttemptCounters
    private let logger: Logger
    private let state = Locked(State())
    /// Woken when a running job ends: the loop has a free slot, shutdown may be done.
    private let finished = WakeSignal()

    init(queue: JobQueue, handlers: [any JobHandler], periodic: [PeriodicJob], tuning: Tuning,
         attempts: JobAttemptCounters = JobAttemptCounters(), logger: Logger) {
        self.queue = queue
        let housekeeping = PeriodicJob(name: "purge-finished-jobs", every: .seconds(3600)) { [queue] in
            try await queue.purgeFinished()
        }
        let allPeriodic = periodic + [housekeeping]
        let all = handlers + allPeriodic.map { PeriodicJobHandler(job: $0, logger: logger) as any JobHandler }
        self.handlers = Dictionary(all.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.periodic = allPeriodic
        self.tuning = tuning
        self.attempts = attempts
        self.logger = logger
    }

    var inFlight: Int { state.withLock { $0.running.count } }
    /// Started, and the claiming loop has not ended (shutdown ends it).
    var isClaiming: Bool { state.withLock { $0.loop != nil && !$0.loopEnded } }
    var isIdle: Bool { state.withLock { $0.idle } }

    func start() {
        state.withLock { state in
            guard state.loop == nil, !state.stopping else { return }
            state.loop = Task { await self.loop() }
        }
        logger.info("workers started", ["concurrency": .int(tuning.concurrency),
                                        "kinds": .string(handlers.keys.map(\.name).sorted().joined(separator: ","))])
    }

    /// SIGTERM: stop claiming, give running jobs up to `grace` to finish, then cancel the
    /// rest and hand their claims back (attempt not spent), so another instance takes them
    /// at once instead of after the lease.
    func shutdown(grace: Duration) async {
        let loop = state.withLock { state -> Task<Void, Never>? in
            state.stopping = true
            return state.loop
        }
        queue.wakeups.wake()
        await loop?.value
        let deadline = ContinuousClock.now + grace
        while inFlight > 0, ContinuousClock.now < deadline {
            await finished.wait(timeout: deadline - ContinuousClock.now)
        }
        let left = state.withLock { state in Array(state.running.values) }
        for running in left {
            // Released before cancelled, so the fence refuses whatever the cancelled run answers.
            let released = (try? await queue.release(running.job)) ?? false
            if released { attempts.count(running.job.kind, "released") }
            running.task.cancel()
        }
        if !left.isEmpty { logger.info("jobs released at shutdown", ["count": .int(left.count)]) }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func loop() async {
        var backoff = tuning.minPoll
        var lastRescue = ContinuousClock.now - tuning.rescueEvery
        var lastSchedule = ContinuousClock.now - tuning.scheduleEvery
        var failing = false
        let kinds = Set(handlers.keys)
        while !isStopping {
            if ContinuousClock.now - lastRescue >= tuning.rescueEvery {
                lastRescue = .now
                await housekeep("rescue expired leases") { _ = try await self.queue.rescueExpired() }
            }
            if ContinuousClock.now - lastSchedule >= tuning.scheduleEvery {
                lastSchedule = .now
                await housekeep("schedule periodic jobs") { _ = try await self.queue.enqueuePeriodic(self.periodic) }
            }
            let free = tuning.concurrency - inFlight
            var claimed = 0
            if free > 0 {
                do {
                    let jobs = try await queue.claim(kinds: kinds, limit: free)
                    claimed = jobs.count
                    for job in jobs { launch(job) }
                    if failing { logger.info("job queue reachable again") }
                    failing = false
                } catch {
                    // The database is away: keep trying at the slowest pace, say so once.
                    if !failing { logger.warning("claiming jobs failed", ["error": .string(String(describing: error))]) }
                    failing = true
                    backoff = tuning.maxPoll
                }
            }
            if claimed > 0 && claimed == free { backoff = tuning.minPoll; continue }
            if claimed > 0 { backoff = tuning.minPoll }
            state.withLock { $0.idle = true }
            let woken = await queue.wakeups.wait(timeout: free > 0 ? backoff : tuning.maxPoll)
            state.withLock { $0.idle = false }
            if woken || claimed > 0 {
                backoff = tuning.minPoll
            } else if free > 0 {
                backoff = min(backoff * 2, tuning.maxPoll)
            }
        }
        state.withLock { $0.loopEnded = true }
    }

    private func housekeep(_ what: String, _ body: () async throws -> Void) async {
        do { try await body() } catch {
            logger.warning("job housekeeping failed", ["task": .string(what), "error": .string(String(describing: error))])
        }
    }

    private func launch(_ job: ClaimedJob) {
        guard let handler = handlers[job.kind] else { return }
        state.withLock { state in
            state.running[job.id] = Running(job: job, task: Task { await self.run(job, handler) })
        }
    }

    private func run(_ job: ClaimedJob, _ handler: any JobHandler) async {
        let heartbeat = Task { [queue] in
            let every = queue.lease / 3
            while !Task.isCancelled {
                do { try await Task.sleep(for: every) } catch { return }
                _ = try? await queue.extendLease(of: job)
            }
        }
        let outcome = await handler.run(job)
        heartbeat.cancel()
        do {
            let applied = try await queue.record(outcome, for: job)
            attempts.count(job.kind, applied ? outcome.label : "fenced")
            if !applied {
                logger.warning("job outcome refused: the claim expired and was taken over",
                               ["job_id": .string(job.id.uuidString.lowercased()), "kind": .string(job.kind.name)])
            }
        } catch {
            // The lease runs out and the rescuer hands the job to another attempt.
            attempts.count(job.kind, "unrecorded")
            logger.warning("recording a job outcome failed", ["job_id": .string(job.id.uuidString.lowercased()),
                                                             "error": .string(String(describing: error))])
        }
        state.withLock { _ = $0.running.removeValue(forKey: job.id) }
        finished.wake()
        queue.wakeups.wake()
    }
}

/// Job attempts by kind and outcome since this process started (`/metrics`).
final class JobAttemptCounters: Sendable {
    private let counts = Locked<[String: [String: UInt64]]>([:])

    init() {}

    func count(_ kind: JobKind, _ outcome: String) {
        counts.withLock { $0[kind.name, default: [:]][outcome, default: 0] += 1 }
    }

    func snapshot() -> [(kind: String, outcome: String, count: UInt64)] {
        counts.withLock { counts in
            counts.sorted { $0.key < $1.key }.flatMap { kind, outcomes in
                outcomes.sorted { $0.key < $1.key }.map { (kind, $0.key, $0.value) }
            }
        }
    }
}
