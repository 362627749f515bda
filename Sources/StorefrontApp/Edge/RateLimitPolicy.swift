import Foundation

/// The budgets of API.md, Rate limits. Exactly one applies to each `/api/v1` request and
/// its name is what `RateLimit-Policy` and `RateLimit` report.
public enum RateLimitPolicy: String, Sendable, CaseIterable {
    /// Per client IP, for callers without (valid) credentials.
    case anon
    /// Per user, for access tokens.
    case user
    /// Per API key.
    case key
    /// Per client IP on `POST /auth/login` and `/auth/register`, before any password is hashed.
    case auth
}

/// How many requests a policy allows per window. The window is fixed at 60 s by the
/// contract (`w=60`); only the counts are configuration.
public struct RateLimitQuota: Sendable, Equatable {
    public static let windowSeconds = 60
    public let limit: Int

    public init(limit: Int) { self.limit = max(1, limit) }
}

/// The quota of every policy, from `RATE_LIMIT_*_PER_MIN`.
public struct RateLimitQuotas: Sendable {
    public let anon: RateLimitQuota
    public let user: RateLimitQuota
    public let auth: RateLimitQuota

    public init(anon: Int, user: Int, auth: Int) {
        self.anon = RateLimitQuota(limit: anon)
        self.user = RateLimitQuota(limit: user)
        self.auth = RateLimitQuota(limit: auth)
    }

    /// Keys share the per-user figure (API.md: "per user or key").
    public subscript(policy: RateLimitPolicy) -> RateLimitQuota {
        switch policy {
        case .anon: anon
        case .user, .key: user
        case .auth: auth
        }
    }
}

/// Whose budget a request spends: a policy and a 128-bit subject (a user or key id, or a
/// client address). A fixed-size value, so a million of them cost a known amount of memory.
public struct BucketKey: Sendable, Hashable {
    let policy: RateLimitPolicy
    let high: UInt64
    let low: UInt64

    init(policy: RateLimitPolicy, high: UInt64, low: UInt64) {
        self.policy = policy
        self.high = high
        self.low = low
    }

    init(policy: RateLimitPolicy, id: UUID) {
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        self.init(policy: policy, high: BucketKey.word(bytes[0..<8]), low: BucketKey.word(bytes[8..<16]))
    }

    /// A client address as `CIDR.parseAddress` returns it. IPv6 clients are keyed by their
    /// /64: one host usually holds a whole /64 (RFC 6177), so per-address buckets would let
    /// it mint fresh budgets at will.
    init(policy: RateLimitPolicy, address: [UInt8]) {
        if address.count == 16 {
            self.init(policy: policy, high: BucketKey.word(address[0..<8]), low: 0)
        } else {
            // IPv4 sits in its mapped place (::ffff:a.b.c.d), apart from every IPv6 /64.
            self.init(policy: policy, high: 0, low: 0xFFFF_0000_0000 | BucketKey.word(address[...]))
        }
    }

    private static func word(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// The outcome of spending one request, in the figures the response headers report.
public struct RateLimitDecision: Sendable, Equatable {
    public let allowed: Bool
    public let limit: Int
    /// Requests still allowed right now.
    public let remaining: Int
    /// Whole seconds until the bucket is full again (`X-RateLimit-Reset`, `t=`).
    public let resetSeconds: Int
    /// Whole seconds until one more request is allowed; 0 when this one was.
    public let retryAfterSeconds: Int
}

/// Where budgets are kept. The in-process `GCRALimiter` serves one instance; a shared
/// store (ADR 0004: Redis, one atomic script per key) implements the same call for
/// several instances behind a load balancer. A store that cannot answer throws, and the
/// rate-limit link decides whether that fails open or closed.
public protocol RateLimitStore: Sendable {
    func acquire(_ key: BucketKey, quota: RateLimitQuota) async throws -> RateLimitDecision
}
