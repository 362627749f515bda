/// What `/metrics` reads for `storefront_rate_limit_rejections_total{policy=...}`: the
/// requests each rate-limit policy refused with 429 since start, every policy listed (zeros
/// included, so the series exist from the first scrape). The policies are a closed set, so
/// the label set cannot grow.
protocol RateLimitRejectionCounts: Sendable {
    var rejectionsByPolicy: [(policy: String, count: Int)] { get }
}

extension RateLimitRejections: RateLimitRejectionCounts {
    var rejectionsByPolicy: [(policy: String, count: Int)] { snapshot.map { ($0.policy.rawValue, $0.count) } }
}
