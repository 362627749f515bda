import Foundation

/// A circuit breaker as a pure value: a state and the transitions `now` drives, with no
/// clock, lock or I/O of its own, so it can live in a database row shared by several
/// instances (the webhook worker keeps one per endpoint, API.md Webhooks) or in memory
/// (`CircuitBreakerHolder`).
///
/// closed --N consecutive failures--> open --openDuration elapsed--> half_open (one trial)
/// half_open --trial succeeds--> closed; half_open --trial fails--> open again.
/// While open (and while a trial is out) `acquire` admits nobody, so a caller spends no
/// attempt on an endpoint known to be down. A trial that never reports back (its caller
/// crashed) is given up after another `openDuration`, and a new trial is admitted.
public struct CircuitBreaker: Sendable, Equatable {
    /// The names API.md exposes as an endpoint's `circuit`.
    public enum Phase: String, Sendable, CaseIterable {
        case closed
        case open
        case halfOpen = "half_open"
    }

    public struct Policy: Sendable, Equatable {
        /// Consecutive failures that open a closed circuit (`WEBHOOK_BREAKER_FAILURES`).
        public let failureThreshold: Int
        /// How long an open circuit refuses, and how long a trial may stay out
        /// (`WEBHOOK_BREAKER_OPEN_S`).
        public let openDuration: TimeInterval

        public init?(failureThreshold: Int, openDuration: TimeInterval) {
            guard failureThreshold >= 1, openDuration > 0, openDuration.isFinite else { return nil }
            self.failureThreshold = failureThreshold
            self.openDuration = openDuration
        }
    }

    /// What `acquire` hands out: report its outcome with `record`. Only a trial's outcome
    /// moves a half-open circuit; a late outcome of an attempt admitted while closed is
    /// ignored once the circuit has opened.
    public struct Permit: Sendable, Equatable {
        public let isTrial: Bool
        /// For a caller that stored `isTrial` with its attempt and reports from another
        /// process (the webhook worker's delivery row).
        public init(isTrial: Bool) { self.isTrial = isTrial }
    }

    public let policy: Policy
    public private(set) var phase: Phase
    /// Failures in a row while closed; reset by any success.
    public private(set) var consecutiveFailures: Int
    /// When the circuit opened (open) or the trial went out (half_open); nil when closed.
    public private(set) var since: Date?

    /// A closed circuit.
    public init(policy: Policy) {
        self.policy = policy
        phase = .closed
        consecutiveFailures = 0
        since = nil
    }

    /// A circuit read back from storage; nil when the stored fields do not describe a
    /// state this type can be in (open or half_open without a time, a negative count).
    public init?(policy: Policy, phase: Phase, consecutiveFailures: Int, since: Date?) {
        guard consecutiveFailures >= 0 else { return nil }
        switch phase {
        case .closed: guard since == nil else { return nil }
        case .open, .halfOpen: guard since != nil else { return nil }
        }
        self.policy = policy
        self.phase = phase
        self.consecutiveFailures = consecutiveFailures
        self.since = since
    }

    /// Whether `acquire(now:)` would admit an attempt; changes nothing.
    public func canAttempt(now: Date) -> Bool {
        switch phase {
        case .closed: true
        case .open, .halfOpen: waitElapsed(now)
        }
    }

    /// Admits an attempt, or nil when the circuit is open or its one trial is out. An open
    /// circuit whose wait is over turns half-open and hands out the trial.
    public mutating func acquire(now: Date) -> Permit? {
        switch phase {
        case .closed:
            return Permit(isTrial: false)
        case .open, .halfOpen:
            guard waitElapsed(now) else { return nil }
            phase = .halfOpen
            since = now
            return Permit(isTrial: true)
        }
    }

    public mutating func recordSuccess(_ permit: Permit, now: Date) {
        switch phase {
        case .closed:
            consecutiveFailures = 0
        case .halfOpen where permit.isTrial:
            phase = .closed
            consecutiveFailures = 0
            since = nil
        case .halfOpen, .open:
            break
        }
    }

    public mutating func recordFailure(_ permit: Permit, now: Date) {
        switch phase {
        case .closed:
            consecutiveFailures += 1
            if consecutiveFailures >= policy.failureThreshold { open(now) }
        case .halfOpen where permit.isTrial:
            open(now)
        case .halfOpen, .open:
            break
        }
    }

    private mutating func open(_ now: Date) {
        phase = .open
        since = now
    }

    private func waitElapsed(_ now: Date) -> Bool {
        guard let since else { return true }
        return now.timeIntervalSince(since) >= policy.openDuration
    }
}
