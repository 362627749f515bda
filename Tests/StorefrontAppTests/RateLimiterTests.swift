import Foundation
import HTTPCore
import Synchronization
import Testing
import TestSupport
@testable import StorefrontApp

/// A clock tests move by hand, so limits are checked to the nanosecond without sleeping.
final class ManualClock: RateLimitClock {
    private let now = Atomic<Int64>(1_000_000_000_000)
    func nanoseconds() -> Int64 { now.load(ordering: .relaxed) }
    func advance(seconds: Double) { now.wrappingAdd(Int64(seconds * 1e9), ordering: .relaxed) }
}

/// Runs blocking or long CPU work on a thread of its own, leaving the cooperative pool free.
func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withBlockingAllowed { body() }
}

/// The in-process GCRA store: exact at the boundary, refilling on time, separate per key,
/// bounded in memory.
@Suite struct RateLimiterTests {
    static func key(_ n: UInt64, _ policy: RateLimitPolicy = .anon) -> BucketKey {
        BucketKey(policy: policy, high: 0, low: n)
    }

    /// Spends `count` requests at the current instant; returns every decision. Yields now
    /// and then: a long loop holding one of the cooperative pool's two threads would
    /// starve other suites.
    static func spend(_ limiter: GCRALimiter, _ key: BucketKey, limit: Int, count: Int) async -> [RateLimitDecision] {
        var decisions: [RateLimitDecision] = []
        decisions.reserveCapacity(count)
        for index in 0..<count {
            decisions.append(limiter.acquire(key, quota: RateLimitQuota(limit: limit)))
            if index % 1024 == 1023 { await Task.yield() }
        }
        return decisions
    }

    @Test(arguments: [1, 2, 3, 7, 10, 120, 600, 1000])
    func exactlyTheLimitIsAllowedThenTheNextIsRefusedWithASaneRetryAfter(limit: Int) async {
        let limiter = GCRALimiter(capacity: 10_000, clock: ManualClock())
        let decisions = await RateLimiterTests.spend(limiter, RateLimiterTests.key(1), limit: limit, count: limit + 1)
        #expect(decisions.prefix(limit).allSatisfy { $0.allowed })
        // Remaining counts down to zero, one per request.
        #expect(decisions.prefix(limit).map(\.remaining) == Array((0..<limit).reversed()))
        let refused = decisions[limit]
        #expect(!refused.allowed)
        #expect(refused.remaining == 0)
        // One request's worth of refill, rounded up to whole seconds, never 0.
        let interval = 60.0 / Double(limit)
        #expect(refused.retryAfterSeconds == max(1, Int(interval.rounded(.up))))
        #expect(refused.resetSeconds == 60)
    }

    /// Large limits, where the emission interval is rounded to whole nanoseconds: the
    /// bucket one request short of empty allows exactly one more. Checked on the rule itself
    /// rather than by spending a million requests.
    @Test(arguments: [7, 245_000, 300_007, 999_999, 1_000_000])
    func roundingNeverLetsOneRequestMoreThrough(limit: Int) {
        let rule = GCRA(quota: RateLimitQuota(limit: limit))
        let now: Int64 = 5_000_000_000_000
        let (last, lastTAT) = rule.evaluate(tat: now + Int64(limit - 1) * rule.interval, now: now)
        #expect(last.allowed && last.remaining == 0)
        let (over, _) = rule.evaluate(tat: lastTAT, now: now)
        #expect(!over.allowed && over.retryAfterSeconds == max(1, Int((60.0 / Double(limit)).rounded(.up))))
        #expect(rule.burst <= Int64(RateLimitQuota.windowSeconds) * 1_000_000_000)
    }

    struct Step: Sendable {
        let advance: Double
        let requests: Int
        let allowed: Int
    }

    /// limit 6 per minute: one request refills every 10 s.
    static let refillSchedule: [(name: String, steps: [Step])] = [
        ("full window refills everything", [Step(advance: 0, requests: 7, allowed: 6), Step(advance: 60, requests: 7, allowed: 6)]),
        ("just before one interval nothing refills", [Step(advance: 0, requests: 6, allowed: 6), Step(advance: 9.999, requests: 1, allowed: 0)]),
        ("one interval refills one", [Step(advance: 0, requests: 6, allowed: 6), Step(advance: 10, requests: 2, allowed: 1)]),
        ("half a window refills half", [Step(advance: 0, requests: 6, allowed: 6), Step(advance: 30, requests: 4, allowed: 3)]),
        ("refused requests spend nothing", [Step(advance: 0, requests: 50, allowed: 6), Step(advance: 10, requests: 1, allowed: 1)]),
        ("a long idle gap never banks more than the limit", [Step(advance: 0, requests: 1, allowed: 1), Step(advance: 3600, requests: 8, allowed: 6)]),
        ("a steady one per interval is always allowed", Array(repeating: Step(advance: 10, requests: 1, allowed: 1), count: 20)),
    ]

    @Test(arguments: refillSchedule)
    func bucketsRefillOneRequestPerInterval(_ row: (name: String, steps: [Step])) async {
        let clock = ManualClock()
        let limiter = GCRALimiter(capacity: 10_000, clock: clock)
        for (index, step) in row.steps.enumerated() {
            clock.advance(seconds: step.advance)
            let allowed = await RateLimiterTests.spend(limiter, RateLimiterTests.key(1), limit: 6, count: step.requests)
                .filter(\.allowed).count
            #expect(allowed == step.allowed, "\(row.name), step \(index)")
        }
    }

    @Test func resetCountsTheSecondsUntilTheBucketIsFull() async {
        let clock = ManualClock()
        let limiter = GCRALimiter(capacity: 10_000, clock: clock)
        let key = RateLimiterTests.key(1)
        let first = limiter.acquire(key, quota: RateLimitQuota(limit: 6))
        #expect((first.remaining, first.resetSeconds) == (5, 10))
        _ = await RateLimiterTests.spend(limiter, key, limit: 6, count: 2)
        clock.advance(seconds: 5)
        let fourth = limiter.acquire(key, quota: RateLimitQuota(limit: 6))
        // Four spent over 5 s: 40 s of debt minus 5 s elapsed.
        #expect((fourth.remaining, fourth.resetSeconds) == (2, 35))
    }

    @Test func keysAndPoliciesHaveSeparateBuckets() async {
        let limiter = GCRALimiter(capacity: 10_000, clock: ManualClock())
        _ = await RateLimiterTests.spend(limiter, RateLimiterTests.key(1), limit: 2, count: 2)
        #expect(!limiter.acquire(RateLimiterTests.key(1), quota: RateLimitQuota(limit: 2)).allowed)
        for other in [RateLimiterTests.key(2), RateLimiterTests.key(1, .auth), RateLimiterTests.key(1, .user),
                      RateLimiterTests.key(1, .key), BucketKey(policy: .anon, high: 1, low: 1)] {
            #expect(limiter.acquire(other, quota: RateLimitQuota(limit: 2)).allowed, "\(other)")
        }
    }

    @Test func ipv6ClientsShareTheirSlash64AndIPv4ClientsStayApart() throws {
        let parse = { (text: String) throws -> BucketKey in
            BucketKey(policy: .anon, address: try #require(CIDR.parseAddress(text)))
        }
        #expect(try parse("2001:db8:1:2::1") == parse("2001:db8:1:2:ffff::9"))
        #expect(try parse("2001:db8:1:2::1") != parse("2001:db8:1:3::1"))
        #expect(try parse("10.0.0.1") != parse("10.0.0.2"))
        #expect(try parse("10.0.0.1") == parse("::ffff:10.0.0.1"))
        #expect(try parse("0.0.0.1") != parse("::1"))
    }

    /// A flood of a million distinct clients: the table never holds more than its bound,
    /// and after a quiet window it holds nothing. On a Dispatch thread: a loop this long on
    /// one of the cooperative pool's two threads would slow every other suite.
    @Test func aMillionDistinctKeysStayWithinTheBound() async {
        let capacity = 16_384
        let (peak, afterQuiet) = await offCooperativePool { RateLimiterTests.floodAMillionKeys(capacity: capacity) }
        #expect(peak <= capacity)
        #expect(peak >= capacity / 2, "the table was used, not bypassed")
        #expect(afterQuiet == 100)
    }

    /// The most buckets held during the flood, and how many remain after a quiet window
    /// and a hundred new clients.
    static func floodAMillionKeys(capacity: Int) -> (peak: Int, afterQuiet: Int) {
        let clock = ManualClock()
        let limiter = GCRALimiter(capacity: capacity, clock: clock)
        var peak = 0
        for n in 0..<UInt64(1_000_000) {
            _ = limiter.acquire(RateLimiterTests.key(n), quota: RateLimitQuota(limit: 120))
            if n % 1024 == 0 {
                peak = max(peak, limiter.bucketCount)
                clock.advance(seconds: 0.001)
            }
        }
        peak = max(peak, limiter.bucketCount)
        // Each shard sweeps when next touched; a hundred new clients touch all sixteen.
        clock.advance(seconds: 61)
        for n in 2_000_000..<UInt64(2_000_100) {
            _ = limiter.acquire(RateLimiterTests.key(n), quota: RateLimitQuota(limit: 120))
        }
        return (peak, limiter.bucketCount)
    }

    /// Eviction under pressure drops the buckets nearest to full, so a client that has
    /// spent its budget is not handed a fresh one by a flood of newcomers.
    @Test func evictionKeepsTheMostIndebtedBuckets() async {
        let clock = ManualClock()
        let limiter = GCRALimiter(capacity: 16 * 64, clock: clock)
        let heavy = RateLimiterTests.key(UInt64.max, .auth)
        _ = await RateLimiterTests.spend(limiter, heavy, limit: 10, count: 10)
        for n in 0..<UInt64(100_000) {
            _ = limiter.acquire(RateLimiterTests.key(n), quota: RateLimitQuota(limit: 10_000))
            if n % 1024 == 0 { await Task.yield() }
        }
        #expect(!limiter.acquire(heavy, quota: RateLimitQuota(limit: 10)).allowed)
    }

    @Test func concurrentCallersNeverGetMoreThanTheLimit() async {
        let limiter = GCRALimiter(capacity: 10_000, clock: ManualClock())
        let allowed = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await RateLimiterTests.spend(limiter, RateLimiterTests.key(7), limit: 500, count: 200).filter(\.allowed).count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(allowed == 500)
    }
}

/// What the link does when its store cannot answer (a shared store's outage, ADR 0004):
/// ordinary budgets fail open, the login budget fails closed.
@Suite struct RateLimitStoreFailureTests {
    struct UnreachableStore: RateLimitStore {
        struct Down: Error {}
        func acquire(_ key: BucketKey, quota: RateLimitQuota) async throws -> RateLimitDecision { throw Down() }
    }

    @Test(arguments: [
        (method: HTTPMethod.get, template: "/api/v1/users/me", served: true),
        (method: HTTPMethod.post, template: "/api/v1/auth/refresh", served: true),
        (method: HTTPMethod.post, template: "/api/v1/auth/login", served: false),
        (method: HTTPMethod.post, template: "/api/v1/auth/register", served: false),
    ])
    func anUnreachableStoreFailsOpenExceptForLoginAndRegister(
        _ row: (method: HTTPMethod, template: String, served: Bool)) async throws {
        let link = RateLimitMiddleware(store: UnreachableStore(), quotas: RateLimitQuotas(anon: 1, user: 1, auth: 1),
                                       rejections: RateLimitRejections(), identify: { _ in nil })
        let request = Request(http: HTTPRequest(head: HTTPRequestHead(
            method: row.method, target: row.template, version: .http1_1, headers: HTTPHeaders(), framing: .none,
            keepAlive: true, expectsContinue: false)))
        let context = RequestContext(routeTemplate: row.template, clientIP: "192.0.2.1")
        do {
            let response = try await link.handle(request, context: context) { _, _ in HTTPResponse(status: .ok) }
            #expect(row.served)
            #expect(response.status == .ok && response.headers["X-RateLimit-Limit"] == nil)
        } catch let error as AppError {
            #expect(!row.served)
            #expect(error.code == .unavailable && error.headers.contains { $0.0 == "Retry-After" })
        }
    }
}
