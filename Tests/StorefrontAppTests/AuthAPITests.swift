import Crypto
import Foundation
import Testing
@testable import StorefrontApp

/// API.md, Auth: register, login, refresh, logout — tables grouped by expected status.
@Suite struct AuthAPITests {
    @Test func register201ReturnsTheUserAndItsLocation() async throws {
        try await withIdentityApp { api in
            let response = try await api.call("POST", "/api/v1/auth/register",
                                        body: #"{"email":"Ann@Example.com","password":"0123456789","name":"Ann"}"#)
            #expect(response.status == 201)
            let json = try RunningApp.json(response)
            let id = try #require(json["id"] as? String)
            #expect(response.header("Location") == "/api/v1/users/\(id)")
            #expect(json["email"] as? String == "Ann@Example.com")
            #expect(json["role"] as? String == "customer")
            #expect(json["mfa_enabled"] as? Bool == false)
            #expect(json["disabled"] as? Bool == false)
            #expect(Set(json.keys) == ["id", "email", "name", "role", "mfa_enabled", "disabled", "created_at", "updated_at"])
            let hash = try #require(try await api.db.query("SELECT password_hash FROM users").rows.first)
                .decode("password_hash", as: String.self)
            #expect(hash.hasPrefix("$scrypt$"))
        }
    }

    @Test(arguments: ["ann@example.com", "ANN@EXAMPLE.COM", "Ann@example.com"])
    func register409ForAnEmailTakenInAnyCase(_ again: String) async throws {
        try await withIdentityApp { api in
            try await api.register("ann@example.com")
            let response = try await api.call("POST", "/api/v1/auth/register",
                                        body: #"{"email":"\#(again)","password":"0123456789","name":"Ann"}"#)
            #expect(response.status == 409)
            #expect(errorCode(response) == "EMAIL_TAKEN")
        }
    }

    static let long = String(repeating: "a", count: 245) + "@example.com"
    static let register422: [(body: String, fields: [String])] = [
        (#"{"email":"not-an-email","password":"0123456789","name":"A"}"#, ["email"]),
        (#"{"email":"\#(long)","password":"0123456789","name":"A"}"#, ["email"]),
        (#"{"email":"a@example.com","password":"012345678","name":"A"}"#, ["password"]),
        (#"{"email":"a@example.com","password":"\#(String(repeating: "p", count: 129))","name":"A"}"#, ["password"]),
        (#"{"email":"a@example.com","password":"0123456789","name":""}"#, ["name"]),
        (#"{"email":"a@example.com","password":"0123456789","name":"\#(String(repeating: "n", count: 101))"}"#, ["name"]),
        (#"{"email":"a@example.com","password":"0123456789"}"#, ["name"]),
        (#"{"email":1,"password":"short","name":""}"#, ["email", "password", "name"]),
        (#"{}"#, ["email", "password", "name"]),
        (#"[]"#, ["body"]),
    ]

    @Test(arguments: register422)
    func register422ListsEveryBadField(_ row: (body: String, fields: [String])) async throws {
        try await withIdentityApp { api in
            let response = try await api.call("POST", "/api/v1/auth/register", body: row.body)
            #expect(response.status == 422)
            #expect(errorCode(response) == "VALIDATION_ERROR")
            let details = try #require((try RunningApp.json(response)["error"] as? [String: Any])?["details"] as? [[String: String]])
            #expect(details.compactMap { $0["field"] } == row.fields)
        }
    }

    @Test func register400ForMalformedJSONAnd415ForAnotherContentType() async throws {
        try await withIdentityApp { api in
            #expect(try await api.call("POST", "/api/v1/auth/register", body: "{\"email\":").status == 400)
            let text = try await api.call("POST", "/api/v1/auth/register", body: "{}", contentType: "text/plain")
            #expect(text.status == 415)
        }
    }

    @Test func login200IssuesAccessAndRefreshTokens() async throws {
        try await withIdentityApp { api in
            let id = try await api.register("bob@example.com")
            let response = try await api.call("POST", "/api/v1/auth/login",
                                        body: #"{"email":"BOB@example.com","password":"correct horse battery"}"#)
            #expect(response.status == 200)
            #expect(response.header("Cache-Control") == "no-store")
            let json = try RunningApp.json(response)
            #expect(json["token_type"] as? String == "Bearer")
            #expect(json["expires_in"] as? Int == 900)
            #expect(json["refresh_expires_in"] as? Int == 2_592_000)
            let access = try #require(json["access_token"] as? String)
            let verified = try testSigner().verify(access, now: Date())
            #expect(verified.sub == id)
            #expect(verified.role == "customer")
            #expect(verified.exp.timeIntervalSince(verified.iat) == 900)
            #expect(!verified.jti.isEmpty)
            let me = try await api.call("GET", "/api/v1/users/me", bearer: access)
            #expect(me.status == 200)
            #expect(try RunningApp.json(me)["id"] as? String == id)
        }
    }

    static let login401: [(email: String, password: String)] = [
        ("bob@example.com", "wrong password!"),
        ("nobody@example.com", "correct horse battery"),
        ("nobody@example.com", "wrong password!"),
    ]

    @Test(arguments: login401)
    func login401IsTheSameForAWrongPasswordAndAnUnknownEmail(_ row: (email: String, password: String)) async throws {
        try await withIdentityApp { api in
            try await api.register("bob@example.com")
            let response = try await api.call("POST", "/api/v1/auth/login",
                                        body: #"{"email":"\#(row.email)","password":"\#(row.password)"}"#)
            #expect(response.status == 401)
            #expect(errorCode(response) == "INVALID_CREDENTIALS")
            #expect(response.header("WWW-Authenticate") == "Bearer")
            let message = (try RunningApp.json(response)["error"] as? [String: Any])?["message"] as? String
            #expect(message == "Invalid email or password")
        }
    }

    @Test func login403ForADisabledUserWithTheRightPassword() async throws {
        try await withIdentityApp { api in
            try await api.register("dis@example.com")
            _ = try await api.db.query("UPDATE users SET disabled = true")
            let right = try await api.call("POST", "/api/v1/auth/login",
                                     body: #"{"email":"dis@example.com","password":"correct horse battery"}"#)
            #expect(right.status == 403)
            #expect(errorCode(right) == "FORBIDDEN")
            // A wrong password still gets 401: being disabled is not revealed to a guesser.
            let wrong = try await api.call("POST", "/api/v1/auth/login", body: #"{"email":"dis@example.com","password":"nope nope nope"}"#)
            #expect(wrong.status == 401)
        }
    }

    @Test func login422WithoutEmailOrPassword() async throws {
        try await withIdentityApp { api in
            let response = try await api.call("POST", "/api/v1/auth/login", body: "{}")
            #expect(response.status == 422)
        }
    }

    @Test func loginUpgradesAHashMadeWithOlderParameters() async throws {
        try await withIdentityApp { api in
            try await api.register("old@example.com")
            let older = try PasswordHasher(parameters: Scrypt.Parameters(logN: 5, r: 8, p: 1))
            _ = try await api.db.query("UPDATE users SET password_hash = $1", [try older.hash("correct horse battery")])
            _ = try await api.login("old@example.com")
            let stored = try #require(try await api.db.query("SELECT password_hash FROM users").rows.first)
                .decode("password_hash", as: String.self)
            #expect(stored.hasPrefix("$scrypt$ln=4,"))
            _ = try await api.login("old@example.com")
        }
    }

    @Test func refresh200RotatesAndTheOldTokenStopsWorking() async throws {
        try await withIdentityApp { api in
            try await api.register("r@example.com")
            let first = try await api.login("r@example.com")
            let response = try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(first.refresh)"}"#)
            #expect(response.status == 200)
            let next = try #require(try RunningApp.json(response)["refresh_token"] as? String)
            #expect(next != first.refresh)
            let again = try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(next)"}"#)
            #expect(again.status == 200)
        }
    }

    @Test func refreshReuseOfARotatedTokenRevokesTheWholeFamily() async throws {
        try await withIdentityApp { api in
            try await api.register("r@example.com")
            let stolen = try await api.login("r@example.com").refresh
            let rotated = try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(stolen)"}"#)
            let current = try #require(try RunningApp.json(rotated)["refresh_token"] as? String)
            let replay = try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(stolen)"}"#)
            #expect(replay.status == 401)
            #expect(replay.header("WWW-Authenticate") == "Bearer")
            // The legitimate holder's newer token dies with the family.
            let legit = try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(current)"}"#)
            #expect(legit.status == 401)
            let reason = try #require(try await api.db.query("SELECT revoked_reason FROM refresh_token_families").rows.first)
                .decode("revoked_reason", as: String?.self)
            #expect(reason == "reuse_detected")
            // Another session of the same user is untouched.
            let other = try await api.login("r@example.com").refresh
            #expect(try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(other)"}"#).status == 200)
        }
    }

    static let refresh401 = ["", "not-a-token", String(repeating: "A", count: 43), "x.y.z"]

    @Test(arguments: refresh401)
    func refresh401ForUnknownOrMalformedTokens(_ token: String) async throws {
        try await withIdentityApp { api in
            let response = try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(token)"}"#)
            #expect(response.status == (token.isEmpty ? 422 : 401))
        }
    }

    @Test func refresh401ForAnExpiredToken() async throws {
        try await withIdentityApp { api in
            try await api.register("e@example.com")
            let refresh = try await api.login("e@example.com").refresh
            _ = try await api.db.query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")
            #expect(try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(refresh)"}"#).status == 401)
        }
    }

    @Test func logout204RevokesTheFamilyAndIsIdempotent() async throws {
        try await withIdentityApp { api in
            try await api.register("l@example.com")
            let tokens = try await api.login("l@example.com")
            let body = #"{"refresh_token":"\#(tokens.refresh)"}"#
            #expect(try await api.call("POST", "/api/v1/auth/logout", body: body).status == 204)
            #expect(try await api.call("POST", "/api/v1/auth/refresh", body: body).status == 401)
            #expect(try await api.call("POST", "/api/v1/auth/logout", body: body).status == 204)
            #expect(try await api.call("POST", "/api/v1/auth/logout", body: "{}").status == 422)
        }
    }

    @Test func storedRefreshTokensAreHashesNotTheTokens() async throws {
        try await withIdentityApp { api in
            try await api.register("h@example.com")
            let refresh = try await api.login("h@example.com").refresh
            let stored = try #require(try await api.db.query("SELECT token_hash FROM refresh_tokens").rows.first)
                .decode("token_hash", as: [UInt8].self)
            #expect(stored == (try SHA256.hash(refresh)))
        }
    }
}
