import Locking
import Dispatch
import Foundation
import Resilience
import Synchronization
import Testing

@Suite struct CircuitBreakerTests {
    static let policy = CircuitBreaker.Policy(failureThreshold: 3, openDuration: 60)!
    static let t0 = Date(timeIntervalSince1970: 1_000_000)
    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    /// A breaker opened at t0 by three failures.
    static func opened() -> CircuitBreaker {
        var breaker = CircuitBreaker(policy: policy)
        for _ in 0..<3 {
            let permit = breaker.acquire(now: t0)!
            breaker.recordFailure(permit, now: t0)
        }
        return breaker
    }

    /// A half-open breaker whose trial went out at t0 + 60.
    static func halfOpen() -> (CircuitBreaker, CircuitBreaker.Permit) {
        var breaker = opened()
        let trial = breaker.acquire(now: at(60))!
        return (breaker, trial)
    }

    @Test func closedAdmitsEveryoneAndOpensOnTheThresholdthFailureInARow() {
        var breaker = CircuitBreaker(policy: CircuitBreakerTests.policy)
        for count in 1...2 {
            let permit = breaker.acquire(now: CircuitBreakerTests.t0)
            #expect(permit == CircuitBreaker.Permit(isTrial: false))
            breaker.recordFailure(permit!, now: CircuitBreakerTests.t0)
            #expect(breaker.phase == .closed)
            #expect(breaker.consecutiveFailures == count)
        }
        breaker.recordFailure(breaker.acquire(now: CircuitBreakerTests.t0)!, now: CircuitBreakerTests.t0)
        #expect(breaker.phase == .open)
        #expect(breaker.since == CircuitBreakerTests.t0)
    }

    @Test func aSuccessResetsTheFailureCount() {
        var breaker = CircuitBreaker(policy: CircuitBreakerTests.policy)
        let now = CircuitBreakerTests.t0
        for _ in 0..<2 { breaker.recordFailure(breaker.acquire(now: now)!, now: now) }
        breaker.recordSuccess(breaker.acquire(now: now)!, now: now)
        #expect(breaker.consecutiveFailures == 0)
        for _ in 0..<2 { breaker.recordFailure(breaker.acquire(now: now)!, now: now) }
        #expect(breaker.phase == .closed)
    }

    @Test(arguments: [0.0, 1, 59.999])
    func openRefusesUntilTheWaitIsOver(elapsed: TimeInterval) {
        var breaker = CircuitBreakerTests.opened()
        let now = CircuitBreakerTests.at(elapsed)
        #expect(!breaker.canAttempt(now: now))
        let before = breaker
        #expect(breaker.acquire(now: now) == nil)
        #expect(breaker == before)
    }

    @Test func afterTheWaitOneTrialGoesOutAndNobodyElse() {
        var (breaker, trial) = CircuitBreakerTests.halfOpen()
        #expect(trial.isTrial)
        #expect(breaker.phase == .halfOpen)
        #expect(breaker.since == CircuitBreakerTests.at(60))
        #expect(!breaker.canAttempt(now: CircuitBreakerTests.at(61)))
        #expect(breaker.acquire(now: CircuitBreakerTests.at(61)) == nil)
    }

    @Test func aSuccessfulTrialClosesTheCircuit() {
        var (breaker, trial) = CircuitBreakerTests.halfOpen()
        breaker.recordSuccess(trial, now: CircuitBreakerTests.at(61))
        #expect(breaker == CircuitBreaker(policy: CircuitBreakerTests.policy))
        #expect(breaker.acquire(now: CircuitBreakerTests.at(61)) == CircuitBreaker.Permit(isTrial: false))
    }

    @Test func aFailedTrialOpensItAgainForAnotherFullWait() {
        var (breaker, trial) = CircuitBreakerTests.halfOpen()
        breaker.recordFailure(trial, now: CircuitBreakerTests.at(70))
        #expect(breaker.phase == .open)
        #expect(breaker.since == CircuitBreakerTests.at(70))
        #expect(!breaker.canAttempt(now: CircuitBreakerTests.at(129)))
        #expect(breaker.acquire(now: CircuitBreakerTests.at(130))?.isTrial == true)
    }

    @Test func aTrialThatNeverReportsIsReplacedAfterAnotherWait() {
        var (breaker, _) = CircuitBreakerTests.halfOpen()
        #expect(breaker.acquire(now: CircuitBreakerTests.at(119)) == nil)
        #expect(breaker.acquire(now: CircuitBreakerTests.at(120))?.isTrial == true)
        #expect(breaker.since == CircuitBreakerTests.at(120))
    }

    @Test func lateOutcomesOfAttemptsAdmittedWhileClosedDoNotMoveAnOpenOrHalfOpenCircuit() {
        let stale = CircuitBreaker.Permit(isTrial: false)
        var open = CircuitBreakerTests.opened()
        let openBefore = open
        open.recordSuccess(stale, now: CircuitBreakerTests.at(1))
        open.recordFailure(stale, now: CircuitBreakerTests.at(1))
        #expect(open == openBefore)
        var (half, _) = CircuitBreakerTests.halfOpen()
        let halfBefore = half
        half.recordSuccess(stale, now: CircuitBreakerTests.at(61))
        half.recordFailure(stale, now: CircuitBreakerTests.at(61))
        #expect(half == halfBefore)
    }

    @Test func storedStatesRoundTripAndImpossibleOnesAreRefused() {
        let (breaker, _) = CircuitBreakerTests.halfOpen()
        let restored = CircuitBreaker(policy: CircuitBreakerTests.policy, phase: CircuitBreaker.Phase(rawValue: "half_open")!,
                                      consecutiveFailures: breaker.consecutiveFailures, since: breaker.since)
        #expect(restored == breaker)
        #expect(CircuitBreaker.Phase.allCases.map(\.rawValue) == ["closed", "open", "half_open"])
        let policy = CircuitBreakerTests.policy
        #expect(CircuitBreaker(policy: policy, phase: .open, consecutiveFailures: 3, since: nil) == nil)
        #expect(CircuitBreaker(policy: policy, phase: .halfOpen, consecutiveFailures: 3, since: nil) == nil)
        #expect(CircuitBreaker(policy: policy, phase: .closed, consecutiveFailures: 0, since: CircuitBreakerTests.t0) == nil)
        #expect(CircuitBreaker(policy: policy, phase: .closed, consecutiveFailures: -1, since: nil) == nil)
    }

    @Test(arguments: [(0, 60.0), (-1, 60), (1, 0), (1, -5), (1, .infinity), (1, .nan)])
    func policiesOutsideTheirRangeAreRefused(threshold: Int, seconds: TimeInterval) {
        #expect(CircuitBreaker.Policy(failureThreshold: threshold, openDuration: seconds) == nil)
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let now = Locked(Date(timeIntervalSince1970: 1_000_000))
    func read() -> Date { now.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite struct CircuitBreakerHolderTests {
    static func holder(_ clock: ManualClock) -> CircuitBreakerHolder {
        CircuitBreakerHolder(policy: CircuitBreaker.Policy(failureThreshold: 2, openDuration: 30)!, clock: clock.read)
    }

    @Test func exactlyOneOfManyConcurrentCallersGetsTheHalfOpenTrial() {
        for _ in 0..<50 {
            let clock = ManualClock()
            let holder = CircuitBreakerHolderTests.holder(clock)
            for _ in 0..<2 { holder.recordFailure(holder.acquire()!) }
            clock.advance(30)
            let permits = Locked<[CircuitBreaker.Permit]>([])
            // Threads, not tasks: every core asks at the same moment.
            DispatchQueue.concurrentPerform(iterations: 32) { _ in
                if let permit = holder.acquire() { permits.withLock { $0.append(permit) } }
            }
            #expect(permits.withLock { $0 } == [CircuitBreaker.Permit(isTrial: true)])
            #expect(holder.state.phase == .halfOpen)
        }
    }

    @Test func runSpendsNoAttemptWhileOpenAndRecordsOutcomes() async throws {
        let clock = ManualClock()
        let holder = CircuitBreakerHolderTests.holder(clock)
        let calls = Locked(0)
        struct Down: Error {}
        for _ in 0..<2 {
            await #expect(throws: Down.self) { try await holder.run { calls.withLock { $0 += 1 }; throw Down() } }
        }
        #expect(holder.state.phase == .open)
        #expect(!holder.canAttempt())
        await #expect(throws: CircuitOpenError()) { try await holder.run { calls.withLock { $0 += 1 } } }
        #expect(calls.withLock { $0 } == 2)
        clock.advance(30)
        #expect(holder.canAttempt())
        let value = try await holder.run { calls.withLock { $0 += 1 }; return 42 }
        #expect(value == 42)
        #expect(holder.state.phase == .closed)
        #expect(calls.withLock { $0 } == 3)
    }
}
