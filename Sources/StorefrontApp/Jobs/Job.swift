import Foundation

/// What a job is: the name a handler is registered under (`event.published`,
/// `periodic.purge-idempotency-keys`). Stored in `jobs.kind`.
struct JobKind: Hashable, Sendable, CustomStringConvertible {
    let name: String

    init(_ name: String) { self.name = name }

    var description: String { name }

    /// The outbox's job: one per event, payload `{"event_id": "<uuid>"}` (EventOutbox).
    static let eventPublished = JobKind("event.published")
}

/// A job a worker holds: its lease is running and `claimToken` proves ownership. Every
/// outcome is recorded with the token, so an owner whose lease expired is refused.
struct ClaimedJob: Sendable {
    let id: UUID
    let kind: JobKind
    let payload: JSONValue
    /// This attempt's number: 1 the first time. Postponed and released runs give theirs back.
    let attempt: Int
    let claimToken: UUID
}

/// What a handler decides about the job it ran. Each is one fenced statement (JobQueue).
enum JobOutcome: Sendable, Equatable {
    /// Finished; never runs again.
    case done
    /// Failed; runs again at `at` (a scheduled row, never a sleep), `error` kept as `last_error`.
    case retry(at: Date, error: String)
    /// Failed for good (out of attempts, or hopeless): kept as `dead` with `error`.
    case dead(error: String)
    /// Not run at all (e.g. an open circuit breaker): waits until `until` and this attempt
    /// is given back, so the job's attempt count is as if it had not been claimed.
    case postpone(until: Date)

    /// The `outcome` label of `storefront_job_attempts_total`.
    var label: String {
        switch self {
        case .done: "done"
        case .retry: "retry"
        case .dead: "dead"
        case .postpone: "postponed"
        }
    }
}

/// Runs the jobs of one kind. `run` must not throw: a handler says what failed through its
/// outcome, since only it knows whether to retry. It runs outside any transaction and holds
/// no row lock; it may run more than once for one job (at least once, ADR 0008), so its
/// effects must be idempotent or deduplicated downstream.
protocol JobHandler: Sendable {
    var kind: JobKind { get }
    func run(_ job: ClaimedJob) async -> JobOutcome
}

/// Work that runs every `interval` on one instance of the cluster at a time: each run is a
/// job of kind `periodic.<name>` whose unique key names its time slot, so however many
/// instances enqueue it, one row and one run result (JobScheduler).
struct PeriodicJob: Sendable {
    let name: String
    let interval: Duration
    let work: @Sendable () async throws -> Void

    init(name: String, every interval: Duration, _ work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.work = work
    }

    var kind: JobKind { JobKind("periodic." + name) }

    /// Whole seconds, at least one: the slot length in SQL.
    var intervalSeconds: Int { max(1, Int(interval.components.seconds)) }
}

/// A periodic job as a handler: a failed run is tried again a minute later, at most three
/// times; the next slot runs anyway.
struct PeriodicJobHandler: JobHandler {
    let job: PeriodicJob
    let logger: Logger
    static let maxAttempts = 3

    var kind: JobKind { job.kind }

    func run(_ claimed: ClaimedJob) async -> JobOutcome {
        do {
            try await job.work()
            return .done
        } catch {
            logger.warning("periodic job failed", ["job": .string(job.name), "attempt": .int(claimed.attempt),
                                                   "error": .string(String(describing: error))])
            let message = String(describing: error)
            return claimed.attempt >= PeriodicJobHandler.maxAttempts ? .dead(error: message)
                : .retry(at: Date().addingTimeInterval(60), error: message)
        }
    }
}
