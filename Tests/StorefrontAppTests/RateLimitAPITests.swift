import HTTPTestSupport
import Testing
@testable import StorefrontApp

/// The rate-limit link through the real server: boundaries, both header families, which
/// budget each request spends, and the client address behind proxies.
@Suite struct RateLimitAPITests {
    static let limited = ["RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_ANON_PER_MIN": "3",
                          "RATE_LIMIT_USER_PER_MIN": "4", "RATE_LIMIT_AUTH_PER_MIN": "2"]

    static func fields(_ response: RawHTTPClient.Response) throws -> RateLimitFields {
        try #require(RateLimitFields(response), "both header families, agreeing: \(response.headers)")
    }

    /// Each row: seconds to advance the clock first, then the expected status and figures.
    static let boundary: [(advance: Double, status: Int, remaining: Int, reset: Int, retryAfter: String?)] = [
        (0, 404, 2, 20, nil),
        (0, 404, 1, 40, nil),
        (0, 404, 0, 60, nil),
        (0, 429, 0, 60, "20"),
        (0, 429, 0, 60, "20"),
        (19.5, 429, 0, 41, "1"),
        (0.5, 404, 0, 60, nil),
        (60, 404, 2, 20, nil),
    ]

    @Test func limitIsExactAtTheBoundaryAndRefillsAfterTheWindow() async throws {
        let clock = ManualClock()
        try await withApp(environment: RateLimitAPITests.limited, rateLimitClock: clock) { app in
            for (index, row) in RateLimitAPITests.boundary.enumerated() {
                clock.advance(seconds: row.advance)
                let response = try await app.send("GET", "/api/v1/no-such-thing")
                #expect(response.status == row.status, "row \(index)")
                let fields = try RateLimitAPITests.fields(response)
                #expect(fields == RateLimitFields(policy: "anon", limit: 3, remaining: row.remaining, reset: row.reset),
                        "row \(index)")
                #expect(response.header("Retry-After") == row.retryAfter, "row \(index)")
                if row.status == 429 { #expect(errorCode(response) == "RATE_LIMITED") }
            }
            #expect(app.application.rateLimitRejections.count(.anon) == 3)
            #expect(app.application.rateLimitRejections.count(.auth) == 0)
        }
    }

    /// Every /api/v1 answer carries the fields; operational endpoints neither carry them
    /// nor spend anything.
    @Test func everyAPIAnswerCarriesTheFieldsAndOperationalEndpointsAreFree() async throws {
        let cases: [(method: String, path: String, headers: [String], status: Int)] = [
            ("GET", "/api/v1/users/me", [], 401),
            ("GET", "/api/v1/users/me", ["Authorization: Bearer not-a-token"], 401),
            ("GET", "/api/v1", [], 404),
            ("DELETE", "/api/v1/auth/login", [], 405),
            ("GET", "/api/v1/users/me", ["Accept: text/html"], 401),
        ]
        try await withApp(environment: RateLimitAPITests.limited.merging(["RATE_LIMIT_ANON_PER_MIN": "100"]) { $1 },
                          rateLimitClock: ManualClock()) { app in
            for _ in 0..<5 {
                let health = try await app.send("GET", "/health")
                #expect(health.status == 200)
                #expect(health.header("X-RateLimit-Limit") == nil && health.header("RateLimit") == nil)
            }
            for (index, row) in cases.enumerated() {
                let response = try await app.send(row.method, row.path, headers: row.headers)
                #expect(response.status == row.status, "\(row)")
                let fields = try RateLimitAPITests.fields(response)
                // Bad credentials are limited per IP like none at all, in one shared budget.
                #expect(fields.policy == "anon" && fields.remaining == 100 - index - 1, "\(row): \(fields)")
            }
        }
    }

    /// Login and register spend the strict per-IP budget before the handler runs: past it
    /// even a malformed body is answered 429, so no password is ever hashed for it.
    @Test func loginAndRegisterSpendTheAuthBudgetBeforeAnythingElse() async throws {
        try await withApp(environment: RateLimitAPITests.limited, rateLimitClock: ManualClock()) { app in
            let rows: [(path: String, status: Int, remaining: Int)] = [
                ("/api/v1/auth/login", 400, 1), ("/api/v1/auth/register", 400, 0),
                ("/api/v1/auth/login", 429, 0), ("/api/v1/auth/register", 429, 0),
            ]
            for row in rows {
                let response = try await app.send("POST", row.path, body: "{not json")
                #expect(response.status == row.status, "\(row)")
                let fields = try RateLimitAPITests.fields(response)
                #expect(fields.policy == "auth" && fields.limit == 2 && fields.remaining == row.remaining, "\(fields)")
            }
            // The general budget is untouched, and refresh is not an auth-budget route.
            let refresh = try await app.send("POST", "/api/v1/auth/refresh", body: "{not json")
            #expect(try RateLimitAPITests.fields(refresh).policy == "anon")
            #expect(try RateLimitAPITests.fields(refresh).remaining == 2)
            #expect(app.application.rateLimitRejections.count(.auth) == 2)
        }
    }

    /// With 127.0.0.1 trusted, X-Forwarded-For names the client; without, it is ignored.
    static let proxyRows: [(trusted: String, forwarded: [String], separate: Bool)] = [
        ("127.0.0.1/32", ["198.51.100.1", "198.51.100.2"], true),
        ("127.0.0.1/32", ["2001:db8:1::1", "2001:db8:2::1"], true),
        // Only the client's own claim differs: the proxy-appended hop is the same client.
        ("127.0.0.1/32", ["198.51.100.1, 203.0.113.5", "198.51.100.2, 203.0.113.5"], false),
        // IPv6 clients in one /64 share a budget.
        ("127.0.0.1/32", ["2001:db8:1::1", "2001:db8:1::2"], false),
        ("::1/128,127.0.0.1/32", ["1.1.1.1, 198.51.100.1", "1.1.1.1, 198.51.100.2"], true),
        // Not trusted: the header is a spoof, and every "client" is 127.0.0.1.
        ("", ["198.51.100.1", "198.51.100.2"], false),
        ("10.0.0.0/8", ["198.51.100.1", "198.51.100.2"], false),
    ]

    /// One app per TRUSTED_PROXIES value; between rows the clock moves a whole window on,
    /// so every bucket is full again.
    @Test func clientsBehindProxiesHaveTheirOwnBudgets() async throws {
        var trustedValues: [String] = []
        for row in RateLimitAPITests.proxyRows where !trustedValues.contains(row.trusted) { trustedValues.append(row.trusted) }
        for trusted in trustedValues {
            let clock = ManualClock()
            let env = RateLimitAPITests.limited.merging(["TRUSTED_PROXIES": trusted]) { $1 }
            try await withApp(environment: env, rateLimitClock: clock) { app in
                for row in RateLimitAPITests.proxyRows where row.trusted == trusted {
                    clock.advance(seconds: 61)
                    for _ in 0..<3 {
                        let first = try await app.send("GET", "/api/v1/x", headers: ["X-Forwarded-For: \(row.forwarded[0])"])
                        #expect(first.status == 404, "\(row)")
                    }
                    let other = try await app.send("GET", "/api/v1/x", headers: ["X-Forwarded-For: \(row.forwarded[1])"])
                    #expect(other.status == (row.separate ? 404 : 429), "\(row)")
                }
            }
        }
    }

    /// Per key, else per user, else per IP: each has its own budget, and a user's key does
    /// not spend the user's bearer budget.
    @Test func keysUsersAndAddressesSpendSeparateBudgets() async throws {
        try await withIdentityApp(environment: RateLimitAPITests.limited.merging(["RATE_LIMIT_AUTH_PER_MIN": "50"]) { $1 },
                                  rateLimitClock: ManualClock()) { app in
            let alice = try await app.customer("alice@example.com")
            let bob = try await app.customer("bob@example.com")
            let key = try await app.createKey(alice.access, scopes: ["users:read"])
            // The key creation spent one of Alice's four.
            let rows: [(bearer: String?, apiKey: String?, status: Int, policy: String, remaining: Int)] = [
                (alice.access, nil, 200, "user", 2), (alice.access, nil, 200, "user", 1),
                (alice.access, nil, 200, "user", 0), (alice.access, nil, 429, "user", 0),
                (nil, key.key, 200, "key", 3), (nil, key.key, 200, "key", 2),
                (bob.access, nil, 200, "user", 3),
                (nil, nil, 401, "anon", 2),
                (nil, "sf_bogus", 401, "anon", 1),
                (alice.access, nil, 429, "user", 0),
            ]
            for (index, row) in rows.enumerated() {
                let response = try await app.call("GET", "/api/v1/users/me", bearer: row.bearer, apiKey: row.apiKey)
                #expect(response.status == row.status, "row \(index): \(response.bodyText)")
                let fields = try RateLimitAPITests.fields(response)
                #expect(fields.policy == row.policy && fields.remaining == row.remaining, "row \(index): \(fields)")
            }
            #expect(app.app.application.rateLimitRejections.count(.user) == 2)
        }
    }
}
