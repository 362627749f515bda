import Foundation
import Testing
@testable import StorefrontApp

/// API.md, Users.
@Suite struct UsersAPITests {
    @Test func patchMe200ChangesNameAndPasswordAndRevokesSessions() async throws {
        try await withIdentityApp { api in
            try await api.register("me@example.com")
            let tokens = try await api.login("me@example.com")
            let renamed = try await api.call("PATCH", "/api/v1/users/me", body: #"{"name":"New Name"}"#, bearer: tokens.access)
            #expect(renamed.status == 200)
            #expect(try RunningApp.json(renamed)["name"] as? String == "New Name")
            let changed = try await api.call("PATCH", "/api/v1/users/me",
                                       body: #"{"password":"a brand new password","current_password":"correct horse battery"}"#,
                                       bearer: tokens.access)
            #expect(changed.status == 200)
            #expect(try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(tokens.refresh)"}"#).status == 401)
            _ = try await api.login("me@example.com", password: "a brand new password")
            #expect(try await api.call("POST", "/api/v1/auth/login",
                                 body: #"{"email":"me@example.com","password":"correct horse battery"}"#).status == 401)
        }
    }

    static let patchMe422Rows = [
        #"{"password":"a brand new password"}"#,
        #"{"password":"a brand new password","current_password":"wrong password"}"#,
        #"{"password":"short","current_password":"correct horse battery"}"#,
        #"{"name":""}"#,
    ]

    @Test(arguments: patchMe422Rows)
    func patchMe422(_ body: String) async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("me@example.com")
            let response = try await api.call("PATCH", "/api/v1/users/me", body: body, bearer: access)
            #expect(response.status == 422)
            #expect(errorCode(response) == "VALIDATION_ERROR")
        }
    }

    @Test func getById200ForSelfAndAdmin404ForOthersAndMalformedIds() async throws {
        try await withIdentityApp { api in
            let (me, access) = try await api.customer("self@example.com")
            let other = try await api.register("other@example.com")
            let admin = try await api.admin()
            #expect(try await api.call("GET", "/api/v1/users/\(me)", bearer: access).status == 200)
            #expect(try await api.call("GET", "/api/v1/users/\(other)", bearer: access).status == 404)
            #expect(try await api.call("GET", "/api/v1/users/\(other)", bearer: admin.access).status == 200)
            #expect(try await api.call("GET", "/api/v1/users/not-a-uuid", bearer: admin.access).status == 404)
            #expect(try await api.call("GET", "/api/v1/users/\(UUID().uuidString)", bearer: admin.access).status == 404)
            #expect(try await api.call("PATCH", "/api/v1/users/nope", body: "{}", bearer: admin.access).status == 404)
        }
    }

    @Test func listFiltersSortsAndPagesWithSignedCursors() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin("root@example.com")
            for name in ["Carol", "alice", "Bob", "dave", "Eve_1"] {
                try await api.register("\(name.lowercased())@shop.test", name: name)
            }
            let all = try RunningApp.json(try await api.call("GET", "/api/v1/users?sort=email&limit=2", bearer: admin.access))
            var emails = ((all["data"] as? [[String: Any]]) ?? []).compactMap { $0["email"] as? String }
            var next = (all["pagination"] as? [String: Any])?["next_cursor"] as? String
            while let cursor = next {
                let page = try await api.call("GET", "/api/v1/users?sort=email&limit=2&cursor=\(cursor)", bearer: admin.access)
                #expect(page.status == 200)
                let json = try RunningApp.json(page)
                emails += ((json["data"] as? [[String: Any]]) ?? []).compactMap { $0["email"] as? String }
                next = (json["pagination"] as? [String: Any])?["next_cursor"] as? String
            }
            #expect(emails == ["alice@shop.test", "bob@shop.test", "carol@shop.test", "dave@shop.test",
                               "eve_1@shop.test", "root@example.com"])
            let descending = try RunningApp.json(try await api.call("GET", "/api/v1/users?sort=-created_at&limit=1", bearer: admin.access))
            #expect(((descending["data"] as? [[String: Any]])?.first?["email"] as? String) == "eve_1@shop.test")
            let link = try await api.call("GET", "/api/v1/users?limit=1", bearer: admin.access).header("Link")
            #expect(link?.hasSuffix("; rel=\"next\"") == true)
            // q is a case-insensitive substring of email or name, with LIKE wildcards literal.
            let q = try RunningApp.json(try await api.call("GET", "/api/v1/users?q=ALI", bearer: admin.access))
            #expect((q["data"] as? [[String: Any]])?.count == 1)
            let underscore = try RunningApp.json(try await api.call("GET", "/api/v1/users?q=_", bearer: admin.access))
            #expect((underscore["data"] as? [[String: Any]])?.count == 1)
            let admins = try RunningApp.json(try await api.call("GET", "/api/v1/users?role=admin", bearer: admin.access))
            #expect((admins["data"] as? [[String: Any]])?.count == 1)
        }
    }

    static let list400or422: [(query: String, status: Int)] = [
        ("sort=name", 422), ("limit=0", 422), ("limit=101", 422), ("role=owner", 422),
        ("cursor=garbage", 400), ("cursor=eyJzIjoiZW1haWwifQ.AAAAAAAAAAAAAAAAAAAAAA", 400),
    ]

    @Test(arguments: list400or422)
    func listRefusesBadParameters(_ row: (query: String, status: Int)) async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            #expect(try await api.call("GET", "/api/v1/users?\(row.query)", bearer: admin.access).status == row.status)
        }
    }

    /// Filters and pagination are read by one reader: one 422 names every bad parameter.
    @Test func listNamesEveryBadParameterInOne422() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            let response = try await api.call("GET", "/api/v1/users?role=x&limit=0&q=&sort=name", bearer: admin.access)
            #expect(response.status == 422)
            let details = (try RunningApp.json(response)["error"] as? [String: Any])?["details"] as? [[String: Any]]
            #expect(details?.compactMap { $0["field"] as? String } == ["role", "q", "limit", "sort"])
        }
    }

    @Test func theLastActiveAdminCannotBeDemotedDisabledOrDeleted() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            for body in [#"{"role":"customer"}"#, #"{"disabled":true}"#] {
                let response = try await api.call("PATCH", "/api/v1/users/\(admin.id)", body: body, bearer: admin.access)
                #expect(response.status == 409)
                #expect(errorCode(response) == "CONFLICT")
            }
            #expect(try await api.call("DELETE", "/api/v1/users/\(admin.id)", bearer: admin.access).status == 409)
            // With a second admin, the first may step down.
            let second = try await api.register("second@example.com")
            let promoted = try await api.call("PATCH", "/api/v1/users/\(second)", body: #"{"role":"admin"}"#, bearer: admin.access)
            #expect(try RunningApp.json(promoted)["role"] as? String == "admin")
            #expect(try await api.call("PATCH", "/api/v1/users/\(admin.id)", body: #"{"role":"customer"}"#, bearer: admin.access).status == 200)
            // The demotion applies to the next request, although the token still says admin.
            #expect(try await api.call("GET", "/api/v1/users", bearer: admin.access).status == 403)
        }
    }

    @Test func disablingAUserRevokesTheirSessionsAndTokens() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            let id = try await api.register("bad@example.com")
            let tokens = try await api.login("bad@example.com")
            let response = try await api.call("PATCH", "/api/v1/users/\(id)", body: #"{"disabled":true}"#, bearer: admin.access)
            #expect(try RunningApp.json(response)["disabled"] as? Bool == true)
            #expect(try await api.call("GET", "/api/v1/users/me", bearer: tokens.access).status == 401)
            #expect(try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(tokens.refresh)"}"#).status == 401)
            #expect(try await api.call("PATCH", "/api/v1/users/\(id)", body: #"{"role":"boss"}"#, bearer: admin.access).status == 422)
        }
    }

    @Test func deleteAnonymizesDisablesAndRevokesEverything() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            let id = try await api.register("leaver@example.com", name: "Leaver Person")
            let tokens = try await api.login("leaver@example.com")
            let key = try await api.createKey(tokens.access, scopes: ["users:read"]).key
            #expect(try await api.call("DELETE", "/api/v1/users/\(id)", bearer: admin.access).status == 204)
            let row = try #require(try await api.db.query("SELECT email, name, disabled, deleted_at IS NOT NULL AS deleted FROM users WHERE id = $1::uuid", [id]).rows.first)
            #expect(try row.decode("email", as: String.self) == "deleted-\(id)")
            #expect(try row.decode("name", as: String.self) == "Deleted user")
            #expect(try row.decode("disabled", as: Bool.self))
            #expect(try row.decode("deleted", as: Bool.self))
            #expect(try await api.call("GET", "/api/v1/users/me", bearer: tokens.access).status == 401)
            #expect(try await api.call("GET", "/api/v1/users/me", apiKey: key).status == 401)
            #expect(try await api.call("POST", "/api/v1/auth/refresh", body: #"{"refresh_token":"\#(tokens.refresh)"}"#).status == 401)
            // Admins still see it (DeletedAccountTests); it cannot be deleted twice.
            #expect(try await api.call("DELETE", "/api/v1/users/\(id)", bearer: admin.access).status == 404)
            // The address is free again.
            try await api.register("leaver@example.com")
        }
    }
}

/// Two admins demoting each other at the same moment must not leave the store with none:
/// the active-admin rows are locked, so the second request sees the first's result.
@Suite struct LastAdminRaceTests {
    @Test func concurrentMutualDemotionLeavesOneAdmin() async throws {
        try await withIdentityApp { api in
            let first = try await api.admin("one@example.com")
            let second = try await api.admin("two@example.com")
            async let a = Task.detached {
                try await api.call("PATCH", "/api/v1/users/\(second.id)", body: #"{"role":"customer"}"#, bearer: first.access).status
            }.value
            async let b = Task.detached {
                try await api.call("PATCH", "/api/v1/users/\(first.id)", body: #"{"role":"customer"}"#, bearer: second.access).status
            }.value
            let statuses = try await [a, b].sorted()
            // Either one wins and the other, no longer an admin or now the last one, is refused;
            // never both 200.
            #expect(statuses.first == 200 && statuses.last != 200)
            let count = try #require(try await api.db.query(
                "SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled").rows.first)
            #expect(try count.decode("n", as: Int.self) == 1)
        }
    }
}
