import Foundation
import HTTPTestSupport
import Postgres
import Synchronization
import TestSupport
import Testing
@testable import StorefrontApp

/// API.md, Idempotency, at the service: one run per key, its writes and its stored answer
/// committed together, replays, reuse with another request, concurrency, 5xx, expiry.
@Suite struct IdempotencyServiceTests {
    /// A service on a fresh database with one user and a `probe` table the handlers write to.
    struct Fixture {
        let database: TestDatabase
        let service: IdempotencyService
        let userID: UUID

        var db: Database { service.database }

        func probes() async throws -> Int {
            try #require(try await database.pool.query("SELECT count(*)::int AS n FROM probe").rows.first).decode("n")
        }

        /// A handler that writes one probe row through the database, as a service would.
        func writingHandler(_ answer: String, status: Int = 201) -> @Sendable () async throws -> StoredResponse {
            let db = self.db
            return {
                try await db.transaction { tx in _ = try await tx.query("INSERT INTO probe VALUES (1)", []) }
                return StoredResponse(status: status, contentType: "application/json", location: "/x/1",
                                      etag: "\"v1\"", body: Array(answer.utf8))
            }
        }

        func once(_ key: String = "key-1", body: String = "{}",
                  handler: () async throws -> StoredResponse) async throws -> IdempotentOutcome<StoredResponse> {
            let fingerprint = try RequestFingerprint(method: "POST", target: "/api/v1/orders", body: Array(body.utf8))
            return try await service.once(userID: userID, key: try #require(IdempotencyKey(header: key)),
                                          fingerprint: fingerprint, stored: { $0 }, handler: handler)
        }
    }

    static func withFixture(poolSize: Int = 2, _ body: (Fixture) async throws -> Void) async throws {
        // Concurrent duplicates queue on the key's unique index and then on two connections:
        // under a sanitizer ten of them outlast the default 10 s wait for a connection, and
        // these tests are about running once, not about that wait.
        try await TestDatabase.with(poolSize: poolSize, acquireTimeout: .seconds(120)) { database in
            _ = try await database.pool.query("CREATE TABLE probe (n int)")
            let user = try #require(try await database.pool.query(
                "INSERT INTO users (email, password_hash, name) VALUES ('i@example.com', 'x', 'I') RETURNING id").rows.first)
            let service = IdempotencyService(database: Database(pool: database.pool), records: IdempotencyRepository())
            try await body(Fixture(database: database, service: service, userID: try user.decode("id")))
        }
    }

    @Test func aRetryReplaysTheStoredAnswerWithoutRunningAgain() async throws {
        try await IdempotencyServiceTests.withFixture { fixture in
            let first = try await fixture.once(handler: fixture.writingHandler("first"))
            let second = try await fixture.once(handler: fixture.writingHandler("second"))
            let stored = StoredResponse(status: 201, contentType: "application/json", location: "/x/1",
                                        etag: "\"v1\"", body: Array("first".utf8))
            guard case .fresh(let fresh) = first, case .replayed(let replayed) = second else {
                Issue.record("expected fresh then replayed, got \(first) and \(second)")
                return
            }
            #expect(fresh == stored && replayed == stored)
            #expect(try await fixture.probes() == 1)
        }
    }

    @Test func quotedAndBareSpellingsAreOneKey() async throws {
        try await IdempotencyServiceTests.withFixture { fixture in
            _ = try await fixture.once("abc", handler: fixture.writingHandler("a"))
            let again = try await fixture.once(#""abc""#, handler: fixture.writingHandler("b"))
            guard case .replayed = again else { Issue.record("expected a replay, got \(again)"); return }
        }
    }

    @Test func theSameKeyWithAnotherBodyIsRefused() async throws {
        try await IdempotencyServiceTests.withFixture { fixture in
            _ = try await fixture.once(body: #"{"a":1}"#, handler: fixture.writingHandler("a"))
            await #expect(throws: IdempotencyError.keyReused) {
                _ = try await fixture.once(body: #"{"a":2}"#, handler: fixture.writingHandler("b"))
            }
            #expect(try await fixture.probes() == 1)
        }
    }

    @Test func aConcurrentDuplicateIsInProgressWhileTheFirstRuns() async throws {
        try await IdempotencyServiceTests.withFixture { fixture in
            let entered = TestGate()
            let release = TestGate()
            let slow = fixture.writingHandler("slow")
            async let first = fixture.once {
                entered.open()
                await release.wait()
                return try await slow()
            }
            await entered.wait()
            await #expect(throws: IdempotencyError.inProgress) {
                _ = try await fixture.once(handler: fixture.writingHandler("duplicate"))
            }
            release.open()
            guard case .fresh = try await first else { Issue.record("the first request must run"); return }
            guard case .replayed = try await fixture.once(handler: fixture.writingHandler("late")) else {
                Issue.record("after the first commits, a retry replays")
                return
            }
            #expect(try await fixture.probes() == 1)
        }
    }

    @Test func tenAtOnceRunTheHandlerOnce() async throws {
        try await IdempotencyServiceTests.withFixture { fixture in
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        do {
                            switch try await fixture.once(handler: fixture.writingHandler("run \(index)")) {
                            case .fresh: return "fresh"
                            case .replayed: return "replayed"
                            }
                        } catch IdempotencyError.inProgress {
                            return "in progress"
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "fresh" }.count == 1)
            #expect(outcomes.allSatisfy { ["fresh", "replayed", "in progress"].contains($0) })
            #expect(try await fixture.probes() == 1)
            let rows = try #require(try await fixture.database.pool.query(
                "SELECT count(*)::int AS n FROM idempotency_keys").rows.first).decode("n", as: Int.self)
            #expect(rows == 1)
        }
    }

    /// A 4xx is the request's answer: stored and replayed, but its writes are undone.
    @Test func aClientErrorIsStoredAndItsWritesRolledBack() async throws {
        try await IdempotencyServiceTests.withFixture { fixture in
            let refusal = StoredResponse(status: 409, contentType: "application/json", location: nil,
                                         etag: nil, body: Array("no".utf8))
            let db = fixture.db
            _ = try await fixture.once {
                try await db.autocommit { session in _ = try await session.query("INSERT INTO probe VALUES (1)", []) }
                throw IdempotentFailure(answer: refusal)
            }
            #expect(try await fixture.probes() == 0)
            let again = try await fixture.once(handler: fixture.writingHandler("second"))
            guard case .replayed(let replayed) = again else { Issue.record("expected a replay, got \(again)"); return }
            #expect(replayed == refusal)
        }
    }

    /// A 5xx stores nothing: its transaction rolled back, so a retry runs afresh.
    @Test func aServerErrorStoresNothingAndTheRetryRunsAfresh() async throws {
        try await IdempotencyServiceTests.withFixture { fixture in
            let db = fixture.db
            await #expect(throws: TestFailure.self) {
                _ = try await fixture.once {
                    try await db.transaction { tx in _ = try await tx.query("INSERT INTO probe VALUES (1)", []) }
                    throw TestFailure("crash after the write")
                }
            }
            #expect(try await fixture.probes() == 0)
            guard case .fresh = try await fixture.once(handler: fixture.writingHandler("retry")) else {
                Issue.record("the retry must run")
                return
            }
            #expect(try await fixture.probes() == 1)
        }
    }

    @Test func expiredAnswersAreForgottenAndPurged() async throws {
        try await IdempotencyServiceTests.withFixture { fixture in
            _ = try await fixture.once(handler: fixture.writingHandler("old"))
            _ = try await fixture.once("other", handler: fixture.writingHandler("recent"))
            _ = try await fixture.database.pool.query(
                "UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 second' WHERE key = 'key-1'")
            guard case .fresh = try await fixture.once(body: "changed", handler: fixture.writingHandler("new")) else {
                Issue.record("an expired key is free again")
                return
            }
            _ = try await fixture.database.pool.query(
                "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'key-1'")
            #expect(try await fixture.service.purgeExpired() == 1)
            let left = try await fixture.database.pool.query("SELECT key FROM idempotency_keys").rows
                .map { try $0.decode("key", as: String.self) }
            #expect(left == ["other"])
        }
    }
}

/// The header's grammar: 1...255 visible ASCII characters, bare or as an sf-string.
@Suite struct IdempotencyKeyTests {
    static let valid: [(String, String)] = [
        ("abc", "abc"), (#""abc""#, "abc"), (String(repeating: "k", count: 255), String(repeating: "k", count: 255)),
        (#""a\"b""#, #"a"b"#), (#""a\\b""#, #"a\b"#), ("8e0f-4c1a:retry#2", "8e0f-4c1a:retry#2"), ("!", "!"),
    ]
    static let invalid = [
        "", #""""#, String(repeating: "k", count: 256), "a b", "caf\u{E9}", "tab\there", #""open"#, #""a"b""#,
        #""a\nb""#, #""a b""#, "\u{7F}", #""abc"x"#,
    ]

    @Test(arguments: valid)
    func accepted(_ header: String, _ key: String) {
        #expect(IdempotencyKey(header: header)?.value == key)
    }

    @Test(arguments: invalid)
    func refused(_ header: String) {
        #expect(IdempotencyKey(header: header) == nil)
    }

    @Test func fingerprintsSeparateMethodTargetAndBody() throws {
        let base = try RequestFingerprint(method: "POST", target: "/a", body: Array("b".utf8))
        #expect(base == (try RequestFingerprint(method: "POST", target: "/a", body: Array("b".utf8))))
        #expect(base != (try RequestFingerprint(method: "POST", target: "/ab", body: [])))
        #expect(base != (try RequestFingerprint(method: "POST", target: "/a", body: Array("c".utf8))))
        #expect(base != (try RequestFingerprint(method: "POST", target: "/a?x=1", body: Array("b".utf8))))
    }
}

/// The header on the wire, for routes that exist before orders.
@Suite struct IdempotencyHeaderAPITests {
    static let malformed400 = ["a b", String(repeating: "k", count: 256), #""unterminated"#]

    @Test(arguments: malformed400)
    func aMalformedKeyIs400OnAnyPost(_ key: String) async throws {
        try await withIdentityApp { api in
            let response = try await api.call("POST", "/api/v1/auth/register",
                                              body: #"{"email":"m@example.com","password":"correct horse battery","name":"M"}"#,
                                              headers: ["Idempotency-Key: \(key)"])
            #expect(response.status == 400)
            #expect(try await api.db.query("SELECT 1 FROM users").rows.isEmpty)
        }
    }

    @Test func aRepeatedKeyHeaderIs400() async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("r@example.com")
            let response = try await api.call("POST", "/api/v1/auth/mfa/totp/confirm", body: #"{"code":"000000"}"#,
                                              bearer: access, headers: ["Idempotency-Key: a", "Idempotency-Key: b"])
            #expect(response.status == 400)
        }
    }

    /// Anonymous answers hold tokens: never stored, so the retry runs (and finds the email taken).
    @Test func anonymousPostsAreNotStored() async throws {
        try await withIdentityApp { api in
            let body = #"{"email":"anon@example.com","password":"correct horse battery","name":"A"}"#
            let first = try await api.call("POST", "/api/v1/auth/register", body: body, headers: ["Idempotency-Key: k"])
            let second = try await api.call("POST", "/api/v1/auth/register", body: body, headers: ["Idempotency-Key: k"])
            #expect(first.status == 201 && second.status == 409)
            #expect(second.header("Idempotent-Replayed") == nil)
            #expect(try await api.db.query("SELECT 1 FROM idempotency_keys").rows.isEmpty)
        }
    }

    /// A new API key is shown once: its answer must not be stored in plain text.
    @Test func answersWithOneTimeSecretsAreNotStored() async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("s@example.com")
            let body = #"{"name":"ci","scopes":["orders:read"]}"#
            for _ in 0..<2 {
                let response = try await api.call("POST", "/api/v1/api-keys", body: body, bearer: access,
                                                  headers: ["Idempotency-Key: same"])
                #expect(response.status == 201 && response.header("Idempotent-Replayed") == nil)
            }
            #expect(try await api.db.query("SELECT 1 FROM idempotency_keys").rows.isEmpty)
        }
    }

    @Test func anAuthenticatedAnswerIsReplayedAndAnotherBodyRefused() async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("c@example.com")
            let first = try await api.call("POST", "/api/v1/auth/mfa/totp/confirm", body: #"{"code":"000000"}"#,
                                           bearer: access, headers: ["Idempotency-Key: \"confirm-1\""])
            let replay = try await api.call("POST", "/api/v1/auth/mfa/totp/confirm", body: #"{"code":"000000"}"#,
                                            bearer: access, headers: ["Idempotency-Key: confirm-1"])
            #expect(first.status == replay.status && first.status >= 400 && first.status < 500)
            #expect(replay.body == first.body)
            #expect(replay.header("Idempotent-Replayed") == "true" && first.header("Idempotent-Replayed") == nil)
            let reused = try await api.call("POST", "/api/v1/auth/mfa/totp/confirm", body: #"{"code":"111111"}"#,
                                            bearer: access, headers: ["Idempotency-Key: confirm-1"])
            #expect(reused.status == 422 && errorCode(reused) == "IDEMPOTENCY_KEY_REUSED")
        }
    }
}
