import Foundation
import Testing
@testable import StorefrontApp

/// API.md, Users, DELETE: no value a client can register may make a later delete fail, an
/// admin still sees the deleted account, and the old email can be registered again.
@Suite struct DeletedAccountTests {
    /// Addresses a client might register to squat on another account's anonymized form.
    static func squatters(for id: String) -> [String] {
        ["deleted-\(id)@deleted.invalid", "DELETED-\(id.uppercased())@DELETED.INVALID", "deleted-\(id)@example.com",
         "\(id)@deleted.invalid"]
    }

    @Test func noRegisteredAddressMakesTheDeleteOfAnotherAccountFail() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            let victim = try await api.register("victim@example.com", name: "Victim")
            for (index, address) in DeletedAccountTests.squatters(for: victim).enumerated() {
                let response = try await api.call("POST", "/api/v1/auth/register",
                                                  body: #"{"email":"\#(address)","password":"correct horse battery","name":"S\#(index)"}"#)
                // The first two are one address case-insensitively.
                #expect(response.status == (index == 1 ? 409 : 201), "\(address): \(response.bodyText)")
            }
            #expect(try await api.call("DELETE", "/api/v1/users/\(victim)", bearer: admin.access).status == 204)
            // The squatter can be deleted too, and both anonymized rows coexist.
            let squatter = try await api.login("deleted-\(victim)@deleted.invalid")
            let me = try RunningApp.json(try await api.call("GET", "/api/v1/users/me", bearer: squatter.access))
            let squatterID = try #require(me["id"] as? String)
            #expect(try await api.call("DELETE", "/api/v1/users/\(squatterID)", bearer: admin.access).status == 204)
        }
    }

    @Test func anAdminStillSeesTheDeletedAccountAndTheEmailIsFreeAgain() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            let id = try await api.register("gone@example.com", name: "Gone Person")
            #expect(try await api.call("DELETE", "/api/v1/users/\(id)", bearer: admin.access).status == 204)
            let seen = try await api.call("GET", "/api/v1/users/\(id)", bearer: admin.access)
            #expect(seen.status == 200)
            let json = try RunningApp.json(seen)
            #expect(json["disabled"] as? Bool == true)
            #expect(json["name"] as? String == "Deleted user")
            let email = try #require(json["email"] as? String)
            #expect(!email.contains("gone"))
            // Whatever the anonymized form is, no client can register it.
            #expect(!EmailSyntax.isValid(email))
            #expect(try await api.call("DELETE", "/api/v1/users/\(id)", bearer: admin.access).status == 404)
            #expect(try await api.call("PATCH", "/api/v1/users/\(id)", body: #"{"disabled":false}"#, bearer: admin.access).status == 404)
            let again = try await api.register("gone@example.com")
            #expect(again != id)
            #expect(try await api.call("DELETE", "/api/v1/users/\(again)", bearer: admin.access).status == 204)
            // Two deleted accounts of the same address coexist; a third registration works.
            try await api.register("GONE@example.com")
        }
    }

    @Test func concurrentDeletesOfManyAccountsAllSucceed() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            var ids: [String] = []
            for index in 0..<6 { ids.append(try await api.register("many\(index)@example.com")) }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for id in ids {
                    group.addTask { try await api.call("DELETE", "/api/v1/users/\(id)", bearer: admin.access).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 204, count: ids.count))
        }
    }
}

/// `q` is a substring: LIKE's wildcards are escaped per Unicode scalar, so a wildcard
/// followed by a combining mark (one grapheme with it) is still literal.
@Suite struct UserSearchEscapingTests {
    static let escapes: [(text: String, escaped: String)] = [
        ("", ""), ("abc", "abc"), ("%", "\\%"), ("_", "\\_"), ("\\", "\\\\"), ("%%", "\\%\\%"),
        ("%\u{301}", "\\%\u{301}"), ("_\u{301}", "\\_\u{301}"), ("\\\u{301}", "\\\\\u{301}"),
        ("a%\u{301}\u{302}_", "a\\%\u{301}\u{302}\\_"), ("é%", "é\\%"),
    ]

    @Test(arguments: escapes)
    func wildcardsAreEscapedPerScalar(_ row: (text: String, escaped: String)) {
        #expect(Array(UserRepository.escapeLike(row.text).unicodeScalars) == Array(row.escaped.unicodeScalars))
    }

    @Test func aWildcardWithACombiningMarkMatchesOnlyLiterally() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            // The name holds the combining mark, so an unescaped wildcard before it would match.
            try await api.register("plain@example.com", name: "Rene\u{301} Plain")
            for q in ["%25%CC%81", "_%CC%81", "%5C%CC%81", "%25%25%CC%81"] {
                let response = try await api.call("GET", "/api/v1/users?q=\(q)", bearer: admin.access)
                #expect(response.status == 200)
                #expect((try RunningApp.json(response)["data"] as? [[String: Any]])?.count == 0, "\(q): \(response.bodyText)")
            }
        }
    }
}

/// GET /users query parameters at their edges: invalid ones are 422 naming the field.
@Suite struct UserListQueryTests {
    static let rows: [(query: String, status: Int, field: String?)] = [
        ("q=", 422, "q"), ("q=" + String(repeating: "x", count: 100), 200, nil),
        ("q=" + String(repeating: "x", count: 101), 422, "q"), ("q=%FF", 422, "q"), ("q=%E9", 422, "q"),
        // A broken escape is a malformed request target, which the HTTP parser refuses.
        ("q=%", 400, nil), ("q=%0", 400, nil), ("q=a&q=%00", 200, nil), ("q=%F0%9F%98%80", 200, nil),
        ("limit=%FF", 422, "limit"), ("role=%00", 422, "role"), ("sort=%00", 422, "sort"),
        ("q=%00&role=%FF", 422, "role"),
    ]

    /// One app for the whole table: a database per row would crowd the test cluster.
    @Test func edgesOfTheQuery() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            for row in UserListQueryTests.rows {
                let response = try await api.call("GET", "/api/v1/users?\(row.query)", bearer: admin.access)
                #expect(response.status == row.status, "\(row.query): \(response.bodyText)")
                if let field = row.field {
                    let details = (try RunningApp.json(response)["error"] as? [String: Any])?["details"] as? [[String: Any]]
                    #expect(details?.contains { $0["field"] as? String == field } == true, "\(row.query): \(response.bodyText)")
                }
            }
        }
    }
}
