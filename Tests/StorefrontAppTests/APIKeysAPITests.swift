import Crypto
import Foundation
import Testing
@testable import StorefrontApp

/// API.md, API keys.
@Suite struct APIKeysAPITests {
    @Test func create201ShowsTheKeyOnceAndStoresOnlyItsHash() async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let response = try await api.call("POST", "/api/v1/api-keys",
                                        body: #"{"name":"ci","scopes":["orders:read","users:read"],"expires_at":"2099-01-01T00:00:00Z"}"#,
                                        bearer: access)
            #expect(response.status == 201)
            #expect(response.header("Cache-Control") == "no-store")
            let json = try RunningApp.json(response)
            let key = try #require(json["key"] as? String)
            let prefix = try #require(json["prefix"] as? String)
            #expect(key.hasPrefix(prefix + "_") && prefix.hasPrefix("sf_") && prefix.count == 11)
            #expect(json["scopes"] as? [String] == ["orders:read", "users:read"])
            #expect(json["expires_at"] as? String == "2099-01-01T00:00:00.000Z")
            #expect(json["last_used_at"] is NSNull)
            let stored = try #require(try await api.db.query("SELECT key_hash FROM api_keys").rows.first)
                .decode("key_hash", as: [UInt8].self)
            #expect(stored == (try SHA256.hash(key)))
            let list = try RunningApp.json(try await api.call("GET", "/api/v1/api-keys", bearer: access))
            let listed = try #require((list["data"] as? [[String: Any]])?.first)
            #expect(listed["key"] == nil)
            #expect(listed["prefix"] as? String == prefix)
        }
    }

    @Test func create403ForScopesBeyondTheRole() async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let response = try await api.call("POST", "/api/v1/api-keys", body: #"{"name":"x","scopes":["products:write"]}"#,
                                        bearer: access)
            #expect(response.status == 403)
            #expect(errorCode(response) == "FORBIDDEN")
            let admin = try await api.admin()
            #expect(try await api.call("POST", "/api/v1/api-keys", body: #"{"name":"x","scopes":["products:write"]}"#,
                                 bearer: admin.access).status == 201)
        }
    }

    static let create422Rows = [
        #"{"scopes":["orders:read"]}"#,
        #"{"name":"x","scopes":[]}"#,
        #"{"name":"x","scopes":["root"]}"#,
        #"{"name":"x","scopes":["orders:read","orders:read"]}"#,
        #"{"name":"x","scopes":["orders:read"],"expires_at":"2001-01-01T00:00:00Z"}"#,
        #"{"name":"x","scopes":["orders:read"],"expires_at":"tomorrow"}"#,
        #"{"name":"","scopes":"orders:read"}"#,
    ]

    @Test(arguments: create422Rows)
    func create422(_ body: String) async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let response = try await api.call("POST", "/api/v1/api-keys", body: body, bearer: access)
            #expect(response.status == 422)
        }
    }

    @Test func deleteStopsTheKeyAtOnceAndOthersKeysAre404() async throws {
        try await withIdentityApp { api in
            let (_, owner) = try await api.customer("owner@example.com")
            let (_, stranger) = try await api.customer("stranger@example.com")
            let key = try await api.createKey(owner, scopes: ["users:read"])
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: key.key).status == 200)
            #expect(try await api.call("DELETE", "/api/v1/api-keys/\(key.id)", bearer: stranger).status == 404)
            #expect(try await api.call("POST", "/api/v1/api-keys/\(key.id)/rotate", bearer: stranger).status == 404)
            #expect(try await api.call("DELETE", "/api/v1/api-keys/not-a-uuid", bearer: owner).status == 404)
            #expect(try await api.call("DELETE", "/api/v1/api-keys/\(key.id)", bearer: owner).status == 204)
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: key.key).status == 401)
            #expect(try await api.call("DELETE", "/api/v1/api-keys/\(key.id)", bearer: owner).status == 404)
        }
    }

    @Test func anAdminMayRevokeAnyonesKey() async throws {
        try await withIdentityApp { api in
            let (_, owner) = try await api.customer("owner@example.com")
            let key = try await api.createKey(owner, scopes: ["users:read"])
            let admin = try await api.admin()
            #expect(try await api.call("DELETE", "/api/v1/api-keys/\(key.id)", bearer: admin.access).status == 204)
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: key.key).status == 401)
        }
    }

    @Test func rotatedKeyKeepsWorkingThroughTheGracePeriod() async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("rot@example.com")
            let old = try await api.createKey(access, scopes: ["users:read"])
            let rotated = try await api.call("POST", "/api/v1/api-keys/\(old.id)/rotate", bearer: access)
            #expect(rotated.status == 201)
            let json = try RunningApp.json(rotated)
            let new = try #require(json["key"] as? String)
            #expect(new != old.key && json["id"] as? String != old.id)
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: new).status == 200)
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: old.key).status == 200)
            // Measured from the rotation (the successor's creation), not from now: a loaded
            // machine once spent 46 s between the rotation and this query.
            let grace = try #require(try await api.db.query("""
                SELECT extract(epoch FROM o.expires_at - n.created_at)::int AS left
                FROM api_keys o JOIN api_keys n ON n.id = o.rotated_to WHERE o.id = $1::uuid
                """, [old.id]).rows.first).decode("left", as: Int.self)
            #expect((3590...3600).contains(grace))
            #expect(try await api.call("POST", "/api/v1/api-keys/\(old.id)/rotate", bearer: access).status == 409)
        }
    }

    @Test func rotatedKeyStopsWhenTheGraceIsOver() async throws {
        try await withIdentityApp(environment: ["API_KEY_ROTATION_GRACE_S": "0"]) { api in
            let (_, access) = try await api.customer("rot@example.com")
            let old = try await api.createKey(access, scopes: ["users:read"])
            let rotated = try await api.call("POST", "/api/v1/api-keys/\(old.id)/rotate", bearer: access)
            let new = try #require(try RunningApp.json(rotated)["key"] as? String)
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: old.key).status == 401)
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: new).status == 200)
        }
    }

    @Test func expiredKeysAreRefused() async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("exp@example.com")
            let key = try await api.createKey(access, scopes: ["users:read"])
            _ = try await api.db.query("UPDATE api_keys SET expires_at = now() - interval '1 second'")
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: key.key).status == 401)
        }
    }

    @Test func lastUsedAtIsWrittenAtMostOncePerMinute() async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("use@example.com")
            let key = try await api.createKey(access, scopes: ["users:read"])
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: key.key).status == 200)
            let first = try #require(try await api.db.query("SELECT last_used_at FROM api_keys").rows.first)
                .decode("last_used_at", as: Date?.self)
            #expect(first != nil)
            // Move the stored time back 30 s: within the minute, further use writes nothing.
            _ = try await api.db.query("UPDATE api_keys SET last_used_at = now() - interval '30 seconds'")
            let marked = try #require(try await api.db.query("SELECT last_used_at FROM api_keys").rows.first)
                .decode("last_used_at", as: Date.self)
            for _ in 0..<3 { _ = try await api.call("GET", "/api/v1/users/me", apiKey: key.key) }
            let after = try #require(try await api.db.query("SELECT last_used_at FROM api_keys").rows.first)
                .decode("last_used_at", as: Date.self)
            #expect(after == marked)
        }
    }

    @Test func listIsTheCallersKeysPaginated() async throws {
        try await withIdentityApp { api in
            let (_, mine) = try await api.customer("mine@example.com")
            let (_, theirs) = try await api.customer("theirs@example.com")
            for index in 0..<3 { _ = try await api.createKey(mine, scopes: ["orders:read"], name: "k\(index)") }
            _ = try await api.createKey(theirs, scopes: ["orders:read"], name: "other")
            let first = try RunningApp.json(try await api.call("GET", "/api/v1/api-keys?limit=2", bearer: mine))
            let cursor = try #require((first["pagination"] as? [String: Any])?["next_cursor"] as? String)
            let second = try RunningApp.json(try await api.call("GET", "/api/v1/api-keys?limit=2&cursor=\(cursor)", bearer: mine))
            let names = ((first["data"] as? [[String: Any]]) ?? []) + ((second["data"] as? [[String: Any]]) ?? [])
            #expect(names.compactMap { $0["name"] as? String } == ["k0", "k1", "k2"])
            #expect((second["pagination"] as? [String: Any])?["has_more"] as? Bool == false)
        }
    }
}
