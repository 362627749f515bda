import Locking
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing
@testable import StorefrontApp

/// A queue on a fresh database, and ways to look at its rows behind its back.
struct JobsFixture {
    let database: TestDatabase
    let queue: JobQueue
    var pool: PostgresPool { database.pool }

    static let kind = JobKind("test.job")
    /// How long a condition the worker brings about may take: a bound for a stuck worker, not
    /// a timing. Generous, because a full run queues a hundred suites on two cores.
    static let patience = Duration.seconds(90)

    /// Runs `body` with a queue on its own database.
    static func with(poolSize: Int = 4, isolation: isolated (any Actor)? = #isolation,
                     _ body: (JobsFixture) async throws -> Void) async throws {
        try await TestDatabase.with(poolSize: poolSize) { database in
            try await body(JobsFixture(database: database, queue: JobQueue(database: Database(pool: database.pool))))
        }
    }

    /// Another "instance": its own pool (so its own connections) and queue on the same database.
    func instance(poolSize: Int = 2, isolation: isolated (any Actor)? = #isolation,
                  _ body: (JobQueue) async throws -> Void) async throws {
        var configuration = database.configuration()
        configuration.poolSize = poolSize
        let pool = try PostgresPool(configuration: configuration)
        do {
            try await body(JobQueue(database: Database(pool: pool)))
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }

    struct Row {
        let state: String
        let attempt: Int
        let claimToken: UUID?
        let lastError: String?
        /// Seconds from the database's now to `run_at`.
        let runsIn: Double
    }

    func row(_ id: UUID) async throws -> Row {
        let row = try #require(try await pool.query("""
            SELECT state, attempt, claim_token, last_error, extract(epoch FROM run_at - now())::float8 AS runs_in
            FROM jobs WHERE id = $1
            """, [id]).rows.first)
        return Row(state: try row.decode("state"), attempt: try row.decode("attempt"),
                   claimToken: try row.decode("claim_token"), lastError: try row.decode("last_error"),
                   runsIn: try row.decode("runs_in"))
    }

    func count(_ sql: SQL, _ binds: [any PostgresEncodable] = []) async throws -> Int {
        try #require(try await pool.query(sql, binds).rows.first).decode("n")
    }

    /// As if the worker holding `id` had died a while ago.
    func expireLease(_ id: UUID) async throws {
        _ = try await pool.query("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = $1", [id])
    }

    func worker(_ handlers: [any JobHandler], periodic: [PeriodicJob] = [], concurrency: Int = 4,
                logs: MemoryLogSink = MemoryLogSink()) -> JobWorker {
        JobWorker(queue: queue, handlers: handlers, periodic: periodic,
                  tuning: JobWorker.Tuning(concurrency: concurrency, maxPoll: .milliseconds(100)),
                  logger: Logger(sink: logs, minimumLevel: .debug))
    }
}

/// A handler whose outcome and pace a test controls: it records every run, and waits for
/// `gate` to open (if one is given) before answering.
final class ScriptedHandler: JobHandler {
    let kind: JobKind
    private let outcome: @Sendable (ClaimedJob) -> JobOutcome
    private let gate: CancellableGate?
    private let state = Locked<(runs: [UUID], current: Int, most: Int)>(([], 0, 0))

    init(kind: JobKind = JobsFixture.kind, gate: CancellableGate? = nil,
         outcome: @escaping @Sendable (ClaimedJob) -> JobOutcome = { _ in .done }) {
        self.kind = kind
        self.gate = gate
        self.outcome = outcome
    }

    var runs: [UUID] { state.withLock { $0.runs } }
    var running: Int { state.withLock { $0.current } }
    /// The most runs at once seen so far.
    var mostAtOnce: Int { state.withLock { $0.most } }

    func run(_ job: ClaimedJob) async -> JobOutcome {
        state.withLock { state in
            state.runs.append(job.id)
            state.current += 1
            state.most = max(state.most, state.current)
        }
        if let gate { await gate.wait() }
        state.withLock { $0.current -= 1 }
        return outcome(job)
    }
}

/// HTTPTestSupport's `TestGate`, except that a cancelled waiter goes through at once: a
/// job cancelled at shutdown must not hang its task.
final class CancellableGate: Sendable {
    private let state = Locked<(open: Bool, waiters: [UUID: CheckedContinuation<Void, Never>])>((false, [:]))

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.open || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

struct Rollback: Error {}
