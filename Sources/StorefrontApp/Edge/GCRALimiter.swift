import Locking

/// Monotonic nanoseconds, injectable so tests can step time exactly instead of sleeping.
public protocol RateLimitClock: Sendable {
    func nanoseconds() -> Int64
}

/// The generic cell rate algorithm (ITU-T I.371) on one bucket: the state is a single
/// "theoretical arrival time" (TAT). Each request moves it one emission interval T =
/// window / limit later; a request is allowed while TAT stays within `limit × T` of now,
/// so a full bucket takes exactly `limit` requests at once and refills one every T. A TAT
/// at or before now is the same as no bucket at all, which is what makes eviction lossless.
struct GCRA: Sendable {
    let limit: Int
    let interval: Int64
    let burst: Int64

    init(quota: RateLimitQuota) {
        limit = quota.limit
        interval = Int64(RateLimitQuota.windowSeconds) * 1_000_000_000 / Int64(quota.limit)
        // limit × T rather than the window itself, so integer rounding of T can never let
        // request limit + 1 through.
        burst = interval * Int64(quota.limit)
    }

    /// The decision for a request at `now`, and the TAT to store when it is allowed.
    func evaluate(tat stored: Int64?, now: Int64) -> (RateLimitDecision, newTAT: Int64?) {
        let tat = max(stored ?? now, now)
        let next = tat + interval
        if next - now > burst {
            let decision = RateLimitDecision(allowed: false, limit: limit, remaining: 0,
                                             resetSeconds: GCRA.ceilSeconds(tat - now),
                                             retryAfterSeconds: max(1, GCRA.ceilSeconds(next - burst - now)))
            return (decision, nil)
        }
        let decision = RateLimitDecision(allowed: true, limit: limit, remaining: Int((burst - (next - now)) / interval),
                                         resetSeconds: GCRA.ceilSeconds(next - now), retryAfterSeconds: 0)
        return (decision, next)
    }

    static func ceilSeconds(_ nanoseconds: Int64) -> Int {
        Int((max(0, nanoseconds) + 999_999_999) / 1_000_000_000)
    }
}

/// The in-process rate-limit store: GCRA buckets in shards, each behind its own mutex, so
/// requests for different keys rarely meet on a lock and there is no global one.
///
/// Memory is bounded: a shard holds at most `capacity / shardCount` buckets. Buckets that
/// have refilled are dropped once a window (losing nothing, see `GCRA`); when a shard is
/// full of live buckets, the ones nearest to full are dropped until it is half full, so a
/// flood of distinct clients costs a fixed amount of memory and, at worst, hands a few
/// clients a fresh budget early.
public final class GCRALimiter: RateLimitStore {
    public static let shardCount = 16
    private let shards: [Shard]
    private let clock: any RateLimitClock

    public init(capacity: Int, clock: any RateLimitClock = MonotonicClock()) {
        let perShard = max(2, capacity / GCRALimiter.shardCount)
        shards = (0..<GCRALimiter.shardCount).map { _ in Shard(capacity: perShard) }
        self.clock = clock
    }

    public func acquire(_ key: BucketKey, quota: RateLimitQuota) -> RateLimitDecision {
        let rule = GCRA(quota: quota)
        let now = clock.nanoseconds()
        return shards[shardIndex(key)].table.withLock { $0.acquire(key, rule: rule, now: now) }
    }

    /// Buckets held across all shards (tests check the bound).
    public var bucketCount: Int { shards.reduce(0) { $0 + $1.table.withLock { $0.buckets.count } } }

    private func shardIndex(_ key: BucketKey) -> Int {
        // Fibonacci hashing of both words: cheap, and spreads sequential addresses and ids.
        let mixed = (key.high ^ (key.low &* 0x9E37_79B9_7F4A_7C15)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 60) & (GCRALimiter.shardCount - 1)
    }

    private final class Shard: Sendable {
        let table: Locked<BucketTable>
        init(capacity: Int) { table = Locked(BucketTable(capacity: capacity)) }
    }
}

/// One shard's buckets: key -> TAT.
struct BucketTable: Sendable {
    let capacity: Int
    private(set) var buckets: [BucketKey: Int64] = [:]
    private var nextSweep: Int64 = .min

    init(capacity: Int) { self.capacity = capacity }

    mutating func acquire(_ key: BucketKey, rule: GCRA, now: Int64) -> RateLimitDecision {
        if now >= nextSweep { sweep(now: now, keep: capacity) }
        let stored = buckets[key]
        let (decision, newTAT) = rule.evaluate(tat: stored, now: now)
        guard let newTAT else { return decision }
        if stored == nil && buckets.count >= capacity { sweep(now: now, keep: capacity / 2) }
        buckets[key] = newTAT
        return decision
    }

    /// Drops refilled buckets, then the ones nearest to full until at most `keep` remain.
    /// Rebuilding (rather than removing in place) also returns the storage a flood grew.
    private mutating func sweep(now: Int64, keep: Int) {
        nextSweep = now + Int64(RateLimitQuota.windowSeconds) * 1_000_000_000
        var live = buckets.filter { $0.value > now }
        if live.count > keep {
            let survivors = live.sorted { $0.value > $1.value }.prefix(keep)
            live = Dictionary(uniqueKeysWithValues: survivors.map { ($0.key, $0.value) })
        }
        buckets = live
    }
}
