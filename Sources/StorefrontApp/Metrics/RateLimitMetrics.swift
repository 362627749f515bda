import Synchronization

/// Where the rate-limit link reports a rejection (a 429), by policy. The link calls it;
/// `/metrics` shows the counts as `storefront_rate_limit_rejections_total{policy=...}`.
public protocol RateLimitObserver: Sendable {
    func rateLimitRejected(policy: String)
}

/// One atomic counter per policy of API.md, Rate limits; any other name counts as `other`,
/// so a caller cannot grow the label set.
final class RateLimitRejections: RateLimitObserver {
    static let policies = ["anon", "user", "key", "auth", "other"]
    private let counts: [Counter]

    init() { counts = RateLimitRejections.policies.map { _ in Counter() } }

    func rateLimitRejected(policy: String) {
        let index = RateLimitRejections.policies.firstIndex(of: policy) ?? RateLimitRejections.policies.count - 1
        counts[index].value.wrappingAdd(1, ordering: .relaxed)
    }

    /// (policy, rejections) for every policy, zero ones included so the series always exist.
    var snapshot: [(String, UInt64)] {
        zip(RateLimitRejections.policies, counts).map { ($0, $1.value.load(ordering: .relaxed)) }
    }

    private final class Counter: Sendable {
        let value = Atomic<UInt64>(0)
    }
}
