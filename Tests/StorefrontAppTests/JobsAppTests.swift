import Foundation
import Postgres
import TestSupport
import Testing
@testable import StorefrontApp

/// The queue inside the running application: its periodic purges (API.md, Background
/// jobs) and its figures on `/metrics`.
@Suite struct JobsAppTests {
    /// Rows on both sides of each retention, in place before the server starts: its workers
    /// run every periodic job once at start-up, and these rows are what that run must sort.
    @Test func theServersWorkersRunThePurgesOnTheQueue() async throws {
        try await TestDatabase.with(poolSize: 2) { database in
            let db = database.pool
            let user: UUID = try #require(try await db.query(
                "INSERT INTO users (email, password_hash, name) VALUES ('old@example.com', 'x', 'Old') RETURNING id").rows.first)
                .decode("id")
            for (key, age) in [("old", "25 hours"), ("recent", "23 hours")] {
                _ = try await db.query("""
                    INSERT INTO idempotency_keys (user_id, key, fingerprint, status, body, created_at)
                    VALUES ($1, $2, decode(repeat('00', 32), 'hex'), 201, ''::bytea, now() - $3::interval)
                    """, [user, key, age])
            }
            let keyRows: [(String, String?, String?)] = [("revoked-old", "31 days", nil), ("revoked-recent", "29 days", nil),
                                                         ("expired-old", nil, "31 days"), ("live", nil, "-1 day")]
            for (name, revokedAgo, expiredAgo) in keyRows {
                _ = try await db.query("""
                    INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes, revoked_at, expires_at)
                    VALUES ($1, $2::text, 'sk_x', sha256(convert_to($2::text, 'UTF8')), '{}', now() - $3::interval, now() - $4::interval)
                    """, [user, name, revokedAgo, expiredAgo])
            }
            // (token, family revoked, token expired, family created): a family is older than its tokens' expiry.
            let tokenRows: [(String, String?, String, String)] = [("t-revoked-old", "31 days", "0 days", "40 days"),
                                                                  ("t-expired-old", nil, "31 days", "61 days"),
                                                                  ("t-live", nil, "-1 day", "29 days")]
            for (token, revokedAgo, expiredAgo, createdAgo) in tokenRows {
                _ = try await db.query("""
                    WITH f AS (INSERT INTO refresh_token_families (user_id, revoked_at, created_at)
                               VALUES ($1, now() - $3::interval, now() - $5::interval) RETURNING id)
                    INSERT INTO refresh_tokens (family_id, token_hash, expires_at)
                    SELECT id, sha256($2::bytea), now() - $4::interval FROM f
                    """, [user, token, revokedAgo, expiredAgo, createdAgo])
            }
            let app = try RunningApp.start(environment: ["DATABASE_URL": database.conninfo, "JWT_SECRET": testJWTSecret,
                                                         "APP_ENV": "test", "DB_POOL_SIZE": "2", "WORKERS_ENABLED": "true"])
            let purged = try await eventually(within: JobsFixture.patience) {
                let done: Int = try #require(try await db.query("""
                    SELECT count(*)::int AS n FROM jobs WHERE state = 'done' AND kind = ANY($1::text[])
                    """, [["periodic.purge-idempotency-keys", "periodic.purge-ended-sessions",
                           "periodic.purge-ended-api-keys"]]).rows.first).decode("n")
                return done == 3
            }
            await app.stop()
            #expect(purged)
            let keys = try await db.query("SELECT key FROM idempotency_keys").rows.map { try $0.decode("key", as: String.self) }
            #expect(keys == ["recent"])
            let names = try await db.query("SELECT name FROM api_keys ORDER BY name").rows.map { try $0.decode("name", as: String.self) }
            #expect(names == ["live", "revoked-recent"])
            let tokens = try await db.query("SELECT encode(token_hash, 'hex') AS h FROM refresh_tokens").rows
                .map { try $0.decode("h", as: String.self) }
            let live: String = try #require(try await db.query("SELECT encode(sha256('t-live'::bytea), 'hex') AS h").rows.first)
                .decode("h")
            #expect(tokens == [live])
            let families: Int = try #require(try await db.query("SELECT count(*)::int AS n FROM refresh_token_families").rows.first)
                .decode("n")
            #expect(families == 1)
        }
    }

    @Test func metricsShowQueueDepthOldestJobAttemptsAndOutboxLag() async throws {
        try await withCatalog { catalog in
            let api = catalog.api
            _ = try await catalog.create(sku: "MUG-1")
            _ = try await catalog.create(sku: "MUG-2")
            _ = try await api.db.query("UPDATE jobs SET created_at = now() - interval '90 seconds', run_at = now() - interval '60 seconds'")
            let scrape = try await MetricsEndpointTests.scrape(api.app)
            for (name, type) in [("storefront_jobs_ready", "gauge"), ("storefront_jobs_running", "gauge"),
                                 ("storefront_jobs_oldest_ready_age_seconds", "gauge"),
                                 ("storefront_job_attempts_total", "counter"), ("storefront_outbox_lag_seconds", "gauge")] {
                #expect(scrape.families[name]?.type == type, "\(name)")
            }
            #expect(scrape.value("storefront_jobs_ready", ["kind": "event.published"]) == 2)
            #expect(scrape.value("storefront_jobs_running", ["kind": "event.published"]) == 0)
            #expect((scrape.value("storefront_jobs_oldest_ready_age_seconds", ["kind": "event.published"]) ?? 0) >= 60)
            let lag = scrape.value("storefront_outbox_lag_seconds") ?? 0
            #expect(lag >= 90 && lag < 3600)
            // A kind this process handles has its series while nothing of it waits.
            #expect(scrape.value("storefront_jobs_ready", ["kind": "periodic.purge-idempotency-keys"]) == 0)
        }
    }
}
