import Foundation
import HTTPCore
import Testing
@testable import StorefrontApp

/// Every `/api/v1` route declares who may call it; none outside the public list answers
/// without credentials, and secrets never reach the log.
@Suite struct AccessControlTests {
    static let publicRoutes: Set<String> = ["POST /api/v1/auth/register", "POST /api/v1/auth/login",
                                            "POST /api/v1/auth/refresh", "POST /api/v1/auth/logout",
                                            "GET /api/v1/products", "GET /api/v1/products/{id}"]

    @Test func noProtectedRouteAnswersWithoutCredentials() async throws {
        try await withIdentityApp { api in
            let routes = api.app.application.router.routes.filter { $0.template.hasPrefix("/api/v1/") }
            #expect(routes.count >= 17)
            for route in routes {
                let name = "\(route.method.rawValue) \(route.template)"
                let path = route.template.replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
                let response = try await api.call(route.method.rawValue, path, body: "{}")
                if AccessControlTests.publicRoutes.contains(name) {
                    #expect(route.access == .anyone, "\(name)")
                    #expect(response.status != 401, "\(name)")
                } else {
                    #expect(route.access != .anyone, "\(name) must declare who may call it")
                    #expect(response.status == 401, "\(name) answered \(response.status) without credentials")
                    #expect(response.header("WWW-Authenticate") == "Bearer", "\(name)")
                }
            }
        }
    }

    @Test func customersAreForbiddenFromAdminRoutes() async throws {
        try await withIdentityApp { api in
            let (id, access) = try await api.customer("c@example.com")
            let other = try await api.register("other@example.com")
            let rows: [(String, String, String?)] = [
                ("GET", "/api/v1/users", nil),
                ("PATCH", "/api/v1/users/\(other)", #"{"role":"admin"}"#),
                ("PATCH", "/api/v1/users/\(id)", #"{"role":"admin"}"#),
                ("DELETE", "/api/v1/users/\(other)", nil),
            ]
            for (method, path, body) in rows {
                let response = try await api.call(method, path, body: body, bearer: access)
                #expect(response.status == 403, "\(method) \(path)")
                #expect(errorCode(response) == "FORBIDDEN")
            }
        }
    }

    /// A key acts as its user limited to its scopes, and never reaches bearer-only routes.
    @Test func apiKeysAreLimitedToTheirScopesAndKeptOffBearerRoutes() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            let withRead = try await api.createKey(admin.access, scopes: ["users:read"]).key
            let withoutRead = try await api.createKey(admin.access, scopes: ["orders:read"]).key
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: withRead).status == 200)
            #expect(try await api.call("GET", "/api/v1/users", apiKey: withRead).status == 200)
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: withoutRead).status == 403)
            #expect(try await api.call("GET", "/api/v1/users", apiKey: withoutRead).status == 403)
            // Bearer-only and admin-without-scope routes refuse keys whatever their scopes.
            #expect(try await api.call("GET", "/api/v1/api-keys", apiKey: withRead).status == 403)
            #expect(try await api.call("PATCH", "/api/v1/users/me", body: #"{"name":"X"}"#, apiKey: withRead).status == 403)
            #expect(try await api.call("DELETE", "/api/v1/users/\(admin.id)", apiKey: withRead).status == 403)
            #expect(try await api.call("POST", "/api/v1/auth/mfa/totp", apiKey: withRead).status == 403)
            let both = try await api.call("GET", "/api/v1/users/me", bearer: admin.access, headers: ["X-API-Key: \(withRead)"])
            #expect(both.status == 400)
        }
    }

    @Test func logsOfARegisterLoginRefreshFlowHoldNoSecrets() async throws {
        try await withIdentityApp { api in
            let password = "Sup3r-Secret-Passw0rd"
            try await api.register("log@example.com", password: password)
            let tokens = try await api.login("log@example.com", password: password)
            let refreshed = try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(tokens.refresh)"}"#)
            let newRefresh = try #require(try RunningApp.json(refreshed)["refresh_token"] as? String)
            _ = try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(tokens.refresh)"}"#)  // reuse: logged
            _ = try await api.call("POST", "/api/v1/auth/login", body: #"{"email":"log@example.com","password":"wrong-\#(password)"}"#)
            let key = try await api.createKey(tokens.access, scopes: ["users:read"]).key
            _ = try await api.call("GET", "/api/v1/users/me", apiKey: key)
            await api.app.stop()
            let hash = try #require(try await api.db.query("SELECT password_hash FROM users").rows.first)
                .decode("password_hash", as: String.self)
            let text = api.logs.all.joined(separator: "\n")
            #expect(text.contains("refresh token reuse detected"))
            for secret in [password, tokens.access, tokens.refresh, newRefresh, key, String(key.prefix(20)), hash,
                           String(hash.split(separator: "$").last ?? "")] {
                #expect(!text.contains(secret), "a secret reached the log")
            }
        }
    }
}
