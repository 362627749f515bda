import Foundation
import Postgres

/// The durable queue (ADR 0008) as the rest of the application sees it: enqueue inside the
/// caller's transaction (or on its own), and, for the worker, claim, record outcomes, give
/// back and rescue. Every call is one statement; none holds a lock across the job's work.
struct JobQueue: Sendable {
    let database: Database
    let jobs: JobRepository
    /// How long a claim stays valid without a heartbeat; the worker renews it at a third.
    let lease: Duration
    /// Nudges this process's worker when something is enqueued, so it need not wait for
    /// its next poll (other instances find the job when they poll).
    let wakeups: WakeSignal

    init(database: Database, lease: Duration = .seconds(60), wakeups: WakeSignal = WakeSignal()) {
        self.database = database
        jobs = JobRepository()
        self.lease = lease
        self.wakeups = wakeups
    }

    /// Adds a job that commits (or rolls back) with `tx`. With `uniqueKey`, a second job of
    /// the same key is not added: the answer is then nil. `runAt` nil means now.
    @discardableResult
    func enqueue(kind: JobKind, payload: JSONValue = .object(JSONObject()), runAt: Date? = nil,
                 uniqueKey: String? = nil, in tx: Transaction) async throws -> UUID? {
        let id = try await jobs.insert(kind: kind, payload: JobQueue.text(payload), runAt: runAt,
                                       uniqueKey: uniqueKey, on: tx)
        // Before the commit: the worker's first look may miss the row, and its short
        // backoff after a wake-up finds it a few milliseconds later.
        wakeups.wake()
        return id
    }

    /// One job of `kind` per payload, due now, committed with `tx` (the outbox's batch).
    func enqueue(kind: JobKind, payloads: [JSONValue], in tx: Transaction) async throws {
        guard !payloads.isEmpty else { return }
        try await jobs.insert(kind: kind, payloads: payloads.map(JobQueue.text), on: tx)
        wakeups.wake()
    }

    /// The same, committed on its own.
    @discardableResult
    func enqueue(kind: JobKind, payload: JSONValue = .object(JSONObject()), runAt: Date? = nil,
                 uniqueKey: String? = nil) async throws -> UUID? {
        let id = try await database.autocommit { db in
            try await jobs.insert(kind: kind, payload: JobQueue.text(payload), runAt: runAt, uniqueKey: uniqueKey, on: db)
        }
        wakeups.wake()
        return id
    }

    /// Claims up to `limit` due jobs of `kinds`, committed before this returns.
    func claim(kinds: Set<JobKind>, limit: Int) async throws -> [ClaimedJob] {
        guard limit > 0, !kinds.isEmpty else { return [] }
        return try await database.autocommit { db in
            try await jobs.claim(kinds: kinds.map(\.name).sorted(), limit: limit, leaseSeconds: lease.inSeconds, on: db)
        }
    }

    /// Records `outcome`; false when the claim is no longer this job's (the fence held).
    func record(_ outcome: JobOutcome, for job: ClaimedJob) async throws -> Bool {
        try await database.autocommit { db in try await jobs.record(outcome, for: job, on: db) }
    }

    /// Back to ready at once, the attempt given back (shutdown, work not finished).
    func release(_ job: ClaimedJob) async throws -> Bool {
        try await database.autocommit { db in try await jobs.giveBack(job, runAt: nil, on: db).affectedRows == 1 }
    }

    func extendLease(of job: ClaimedJob) async throws -> Bool {
        try await database.autocommit { db in try await jobs.extendLease(of: job, seconds: lease.inSeconds, on: db) }
    }

    /// Returns expired claims to the queue; how many.
    func rescueExpired() async throws -> Int {
        try await database.autocommit { db in try await jobs.rescueExpired(on: db) }
    }

    /// Adds the current slot's run of each periodic job unless it exists; how many it added.
    func enqueuePeriodic(_ periodic: [PeriodicJob]) async throws -> Int {
        guard !periodic.isEmpty else { return 0 }
        let added = try await database.autocommit { db in
            try await jobs.enqueuePeriodic(kinds: periodic.map(\.kind.name), intervalSeconds: periodic.map(\.intervalSeconds),
                                           on: db)
        }
        if added > 0 { wakeups.wake() }
        return added
    }

    /// Done jobs are kept a day (to look at), dead ones 30 days.
    @discardableResult
    func purgeFinished() async throws -> Int {
        try await database.autocommit { db in
            try await jobs.purgeFinished(doneSeconds: 86_400, deadSeconds: 30 * 86_400, on: db)
        }
    }

    func figures() async throws -> [JobKindFigures] {
        try await database.autocommit { db in try await jobs.figures(on: db) }
    }

    static func text(_ payload: JSONValue) -> String {
        var writer = JSONWriter(capacity: 64)
        writer.value(payload)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

extension Duration {
    /// Seconds with their fraction, for SQL intervals.
    var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
