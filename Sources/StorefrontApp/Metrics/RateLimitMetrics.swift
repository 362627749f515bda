import Synchronization

/// What `/metrics` reads for `storefront_rate_limit_rejections_total{policy=...}`: the
/// requests each rate-limit policy refused with 429 since start, every policy listed (zeros
/// included, so the series exist from the first scrape). The rate-limit link's own counters
/// conform to this; `RateLimitRejectionCounter` stands in until then.
protocol RateLimitRejectionCounts: Sendable {
    var rejectionsByPolicy: [(policy: String, count: Int)] { get }
}

/// Lock-free rejection counts for the policies of API.md, Rate limits: one atomic each,
/// recorded with `rateLimitRejected(policy:)`. Any other name counts as `other`, so a
/// caller cannot grow the label set.
final class RateLimitRejectionCounter: RateLimitRejectionCounts {
    static let policies = ["anon", "user", "key", "auth", "other"]
    private let counts: [Counter]

    init() { counts = RateLimitRejectionCounter.policies.map { _ in Counter() } }

    func rateLimitRejected(policy: String) {
        let index = RateLimitRejectionCounter.policies.firstIndex(of: policy) ?? RateLimitRejectionCounter.policies.count - 1
        counts[index].value.wrappingAdd(1, ordering: .relaxed)
    }

    var rejectionsByPolicy: [(policy: String, count: Int)] {
        zip(RateLimitRejectionCounter.policies, counts).map { ($0, $1.value.load(ordering: .relaxed)) }
    }

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
}
