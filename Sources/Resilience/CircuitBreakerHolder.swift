import Foundation
import Locking

/// One in-memory `CircuitBreaker` shared by concurrent callers: every transition happens
/// under one lock, so a half-open circuit admits exactly one trial however many callers
/// ask at once. The clock is injected so tests move time by hand.
public final class CircuitBreakerHolder: Sendable {
    private let breaker: Locked<CircuitBreaker>
    private let clock: @Sendable () -> Date

    public init(policy: CircuitBreaker.Policy, clock: @escaping @Sendable () -> Date = Date.init) {
        breaker = Locked(CircuitBreaker(policy: policy))
        self.clock = clock
    }

    /// A copy of the current state (for `circuit` in a response, or a metric).
    public var state: CircuitBreaker { breaker.withLock { $0 } }

    public func canAttempt() -> Bool {
        let now = clock()
        return breaker.withLock { $0.canAttempt(now: now) }
    }

    public func acquire() -> CircuitBreaker.Permit? {
        let now = clock()
        return breaker.withLock { $0.acquire(now: now) }
    }

    public func recordSuccess(_ permit: CircuitBreaker.Permit) {
        let now = clock()
        breaker.withLock { $0.recordSuccess(permit, now: now) }
    }

    public func recordFailure(_ permit: CircuitBreaker.Permit) {
        let now = clock()
        breaker.withLock { $0.recordFailure(permit, now: now) }
    }

    /// Runs `operation` when the circuit admits it, recording a thrown error as a failure;
    /// throws `CircuitOpenError` without calling it otherwise.
    public func run<T>(_ operation: () async throws -> T) async throws -> T {
        guard let permit = acquire() else { throw CircuitOpenError() }
        do {
            let result = try await operation()
            recordSuccess(permit)
            return result
        } catch {
            recordFailure(permit)
            throw error
        }
    }
}

/// The circuit refused an attempt: the operation was not started.
public struct CircuitOpenError: Error, Sendable, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "circuit open: attempt not made" }
}
