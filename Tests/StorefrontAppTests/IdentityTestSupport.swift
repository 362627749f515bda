import Crypto
import Foundation
import HTTPTestSupport
import Postgres
import TestSupport
@testable import StorefrontApp

/// The JWT secret every identity test app is configured with, so tests can mint tokens.
let testJWTSecret = "identity-tests-secret-0123456789abcdef"

/// A running app on its own fresh, migrated database, plus that database for direct checks.
struct IdentityApp {
    let app: RunningApp
    let database: TestDatabase
    var logs: MemoryLogSink { app.logs }
    var db: PostgresPool { database.pool }

    /// One HTTP exchange. `body` is sent as JSON; `headers` are extra raw header lines.
    /// The blocking socket I/O runs on a thread of its own (`RunningApp.request`).
    func call(_ method: String, _ path: String, body: String? = nil, bearer: String? = nil, apiKey: String? = nil,
              headers: [String] = [], contentType: String = "application/json",
              timeoutSeconds: Int = 10) async throws -> RawHTTPClient.Response {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: test"]
        if let bearer { lines.append("Authorization: Bearer \(bearer)") }
        if let apiKey { lines.append("X-API-Key: \(apiKey)") }
        lines += headers
        if let body {
            lines.append("Content-Type: \(contentType)")
            lines.append("Content-Length: \(body.utf8.count)")
        }
        let raw = lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")
        return try await app.request(raw, timeoutSeconds: timeoutSeconds)
    }

    /// Registers a customer and returns its id.
    @discardableResult
    func register(_ email: String, password: String = "correct horse battery", name: String = "Test User") async throws -> String {
        let response = try await call("POST", "/api/v1/auth/register",
                                body: #"{"email":"\#(email)","password":"\#(password)","name":"\#(name)"}"#)
        guard response.status == 201, let id = try RunningApp.json(response)["id"] as? String else {
            throw TestFailure("register \(email): \(response.status) \(response.bodyText)")
        }
        return id
    }

    /// Logs in and returns the access and refresh tokens.
    func login(_ email: String, password: String = "correct horse battery", otp: String? = nil) async throws -> (access: String, refresh: String) {
        let otpField = otp.map { #","otp":"\#($0)""# } ?? ""
        let response = try await call("POST", "/api/v1/auth/login",
                                body: #"{"email":"\#(email)","password":"\#(password)"\#(otpField)}"#)
        let json = try RunningApp.json(response)
        guard response.status == 200, let access = json["access_token"] as? String,
              let refresh = json["refresh_token"] as? String else {
            throw TestFailure("login \(email): \(response.status) \(response.bodyText)")
        }
        return (access, refresh)
    }

    /// A registered user, promoted to admin directly in the database, and their tokens.
    func admin(_ email: String = "admin@example.com") async throws -> (id: String, access: String) {
        let id = try await register(email)
        _ = try await db.query("UPDATE users SET role = 'admin' WHERE id = $1::uuid", [id])
        return (id, try await login(email).access)
    }

    /// A registered, logged-in customer.
    func customer(_ email: String) async throws -> (id: String, access: String) {
        let id = try await register(email)
        return (id, try await login(email).access)
    }

    func createKey(_ bearer: String, scopes: [String], name: String = "ci") async throws -> (id: String, key: String) {
        let list = scopes.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try await call("POST", "/api/v1/api-keys", body: #"{"name":"\#(name)","scopes":[\#(list)]}"#,
                                bearer: bearer)
        let json = try RunningApp.json(response)
        guard response.status == 201, let id = json["id"] as? String, let key = json["key"] as? String else {
            throw TestFailure("create key: \(response.status) \(response.bodyText)")
        }
        return (id, key)
    }
}

/// Runs `body` with an app on a fresh database; stops the app and drops the database after.
func withIdentityApp(environment: [String: String] = [:], rateLimitClock: any RateLimitClock = MonotonicClock(),
                     statementObserver: StatementObserver? = nil,
                     _ body: (IdentityApp) async throws -> Void) async throws {
    // Small pools: a hundred of these run at once against one cluster. So a long wait for
    // a connection (the default 2 s turned logins into 503s under a full run's load);
    // tests of the timeout set their own.
    try await TestDatabase.with(poolSize: 2) { database in
        var env = ["DATABASE_URL": database.conninfo, "JWT_SECRET": testJWTSecret, "APP_ENV": "test",
                   "DB_POOL_SIZE": "2", "DB_POOL_TIMEOUT_MS": "30000"]
        env.merge(environment) { _, new in new }
        let app = try RunningApp.start(environment: env, rateLimitClock: rateLimitClock,
                                       statementObserver: statementObserver)
        do {
            try await body(IdentityApp(app: app, database: database))
        } catch {
            await app.stop()
            throw error
        }
        await app.stop()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The error envelope's code, or nil.
func errorCode(_ response: RawHTTPClient.Response) -> String? {
    let json = try? RunningApp.json(response)
    return (json?["error"] as? [String: Any])?["code"] as? String
}

/// A signer with the test secret, for minting tokens the app should or should not accept.
func testSigner(issuer: String = "storefront", audience: String = "storefront-api",
                secret: String = testJWTSecret) throws -> JWTSigner {
    try JWTSigner(secret: Array(secret.utf8), issuer: issuer, audience: audience)
}

func claims(sub: String, role: String = "customer", iat: Date = Date(), exp: Date = Date().addingTimeInterval(600),
            iss: String = "storefront", aud: String = "storefront-api") -> JWTClaims {
    JWTClaims(iss: iss, aud: .single(aud), sub: sub, role: role, iat: iat, exp: exp, jti: UUID().uuidString)
}
