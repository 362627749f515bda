import Synchronization

/// How many requests each policy refused with 429 since start: the hook for `/metrics`
/// (`rate_limit_rejections_total{policy="..."}`). `Application.rateLimitRejections` is
/// the instance the rate-limit link writes; metrics read `count(_:)` or `snapshot` at
/// scrape time. Lock-free: one atomic per policy.
public final class RateLimitRejections: Sendable {
    private let anon = Atomic<Int>(0)
    private let user = Atomic<Int>(0)
    private let key = Atomic<Int>(0)
    private let auth = Atomic<Int>(0)

    public init() {}

    func record(_ policy: RateLimitPolicy) {
        withCounter(policy) { _ = $0.wrappingAdd(1, ordering: .relaxed) }
    }

    public func count(_ policy: RateLimitPolicy) -> Int {
        withCounter(policy) { $0.load(ordering: .relaxed) }
    }

    /// Every policy with its count, in `RateLimitPolicy.allCases` order (zeros included,
    /// so each series exists from the first scrape).
    public var snapshot: [(policy: RateLimitPolicy, count: Int)] {
        RateLimitPolicy.allCases.map { ($0, count($0)) }
    }

    private func withCounter<R>(_ policy: RateLimitPolicy, _ body: (borrowing Atomic<Int>) -> R) -> R {
        switch policy {
        case .anon: body(anon)
        case .user: body(user)
        case .key: body(key)
        case .auth: body(auth)
        }
    }
}
