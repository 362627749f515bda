import Foundation
import HTTPTestSupport
import Testing
@testable import StorefrontApp

/// API.md, Orders: GET /orders/{id} and GET /orders, grouped by status.
@Suite struct OrdersReadTests {
    @Test func get200WithAStrongETagAnd304ForIt() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let mug = try await api.product("MUG-1")
            let id = try #require(try await api.placed([(mug, 1)], bearer: access)["id"] as? String)
            let response = try await api.call("GET", "/api/v1/orders/\(id)", bearer: access)
            #expect(response.status == 200)
            #expect(response.header("ETag") == "\"v1-\(id)\"" && response.header("Cache-Control") == "no-store")
            #expect((try RunningApp.json(response)["items"] as? [[String: Any]])?.count == 1)
            let cached = try await api.call("GET", "/api/v1/orders/\(id)", bearer: access,
                                            headers: ["If-None-Match: \"v1-\(id)\""])
            #expect(cached.status == 304 && cached.body.isEmpty && cached.header("ETag") == "\"v1-\(id)\"")
            let stale = try await api.call("GET", "/api/v1/orders/\(id)", bearer: access,
                                           headers: ["If-None-Match: \"v0-\(id)\""])
            #expect(stale.status == 200)
            let malformed = try await api.call("GET", "/api/v1/orders/\(id)", bearer: access,
                                               headers: ["If-None-Match: v1"])
            #expect(malformed.status == 400)
        }
    }

    @Test func get404ForOthersOrdersUnknownIdsAndMalformedIds() async throws {
        try await withOrdersApp { api in
            let (_, owner) = try await api.customer("owner@example.com")
            let (_, stranger) = try await api.customer("stranger@example.com")
            let admin = try await api.admin()
            let mug = try await api.product("MUG-1")
            let id = try #require(try await api.placed([(mug, 1)], bearer: owner)["id"] as? String)
            #expect(try await api.call("GET", "/api/v1/orders/\(id)", bearer: stranger).status == 404)
            #expect(try await api.call("GET", "/api/v1/orders/\(UUID().uuidString)", bearer: owner).status == 404)
            #expect(try await api.call("GET", "/api/v1/orders/not-a-uuid", bearer: owner).status == 404)
            #expect(try await api.call("GET", "/api/v1/orders/\(id)", bearer: admin.access).status == 200)
        }
    }

    @Test func get403ForAKeyWithoutOrdersRead() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let writer = try await api.createKey(access, scopes: ["orders:write"])
            let reader = try await api.createKey(access, scopes: ["orders:read"])
            #expect(try await api.call("GET", "/api/v1/orders", apiKey: writer.key).status == 403)
            #expect(try await api.call("GET", "/api/v1/orders", apiKey: reader.key).status == 200)
            #expect(try await api.call("GET", "/api/v1/orders").status == 401)
        }
    }

    static func ids(_ response: RawHTTPClient.Response) throws -> [String] {
        ((try RunningApp.json(response)["data"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
    }

    @Test func list200ShowsOwnOrdersAndAdminsEveryonesWithFilters() async throws {
        try await withOrdersApp { api in
            let (aliceID, alice) = try await api.customer("alice@example.com")
            let (_, bob) = try await api.customer("bob@example.com")
            let admin = try await api.admin()
            let mug = try await api.product("MUG-1", priceCents: 100, stock: 100)
            let cheap = try #require(try await api.placed([(mug, 1)], bearer: alice)["id"] as? String)
            let dear = try #require(try await api.placed([(mug, 5)], bearer: alice)["id"] as? String)
            let bobs = try #require(try await api.placed([(mug, 3)], bearer: bob)["id"] as? String)
            _ = try await api.db.query("UPDATE orders SET created_at = '2026-01-01T00:00:00Z' WHERE id = $1::uuid", [cheap])
            let own = try await api.call("GET", "/api/v1/orders", bearer: alice)
            #expect(own.status == 200 && own.header("Cache-Control") == "no-store")
            #expect(try OrdersReadTests.ids(own) == [dear, cheap])
            let first = try #require((try RunningApp.json(own)["data"] as? [[String: Any]])?.first)
            #expect((first["items"] as? [[String: Any]])?.first?["quantity"] as? Int == 5)
            let rows: [(String, String, [String])] = [
                ("/api/v1/orders?sort=total", admin.access, [cheap, bobs, dear]),
                ("/api/v1/orders?sort=-total", admin.access, [dear, bobs, cheap]),
                ("/api/v1/orders?sort=created_at", alice, [cheap, dear]),
                ("/api/v1/orders?user_id=\(aliceID)&sort=total", admin.access, [cheap, dear]),
                ("/api/v1/orders?user_id=\(aliceID)", bob, []),
                ("/api/v1/orders?status=pending&sort=total", admin.access, [cheap, bobs, dear]),
                ("/api/v1/orders?status=paid", admin.access, []),
                ("/api/v1/orders?created_before=2026-06-01T00:00:00Z", admin.access, [cheap]),
                ("/api/v1/orders?created_after=2026-06-01T00:00:00.000Z&sort=total", admin.access, [bobs, dear]),
            ]
            for (path, bearer, expected) in rows {
                let response = try await api.call("GET", path, bearer: bearer)
                #expect(response.status == 200, "\(path)")
                #expect(try OrdersReadTests.ids(response) == expected, "\(path)")
            }
        }
    }

    @Test func list200PagesWithoutGapsOrRepeatsAnd304ForAnUnchangedPage() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let mug = try await api.product("MUG-1", priceCents: 100, stock: 100)
            var placed: [String] = []
            // Equal totals, so the id breaks every tie.
            for _ in 0..<5 { placed.append(try #require(try await api.placed([(mug, 1)], bearer: access)["id"] as? String)) }
            for sort in ["total", "-total", "created_at", "-created_at"] {
                var seen: [String] = []
                var path: String? = "/api/v1/orders?limit=2&sort=\(sort)"
                while let next = path {
                    let page = try await api.call("GET", next, bearer: access)
                    #expect(page.status == 200)
                    seen += try OrdersReadTests.ids(page)
                    path = (try RunningApp.json(page)["links"] as? [String: Any])?["next"] as? String
                }
                #expect(seen.count == 5 && Set(seen) == Set(placed), "\(sort)")
            }
            let page = try await api.call("GET", "/api/v1/orders?limit=2", bearer: access)
            let tag = try #require(page.header("ETag"))
            let cached = try await api.call("GET", "/api/v1/orders?limit=2", bearer: access, headers: ["If-None-Match: \(tag)"])
            #expect(cached.status == 304 && cached.body.isEmpty)
        }
    }

    /// Query strings a client may get wrong, huge and negative numbers among them.
    static let list422Rows = [
        "status=bogus", "created_after=yesterday", "created_before=2026-13-01T00:00:00Z", "sort=price",
        "limit=0", "limit=101", "limit=-1", "limit=99999999999999999999999", "limit=1e2", "user_id=nope",
        "status=pending&limit=abc&sort=-price",
    ]

    @Test func list422AndTamperedCursors400() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            for query in OrdersReadTests.list422Rows {
                let response = try await api.call("GET", "/api/v1/orders?\(query)", bearer: access)
                #expect(response.status == 422, "\(query): \(response.bodyText)")
            }
            let mug = try await api.product("MUG-1", stock: 100)
            for _ in 0..<2 { _ = try await api.placed([(mug, 1)], bearer: access) }
            let page = try RunningApp.json(try await api.call("GET", "/api/v1/orders?limit=1&sort=total", bearer: access))
            let cursor = try #require((page["pagination"] as? [String: Any])?["next_cursor"] as? String)
            #expect(try await api.call("GET", "/api/v1/orders?limit=1&sort=-created_at&cursor=\(cursor)",
                                       bearer: access).status == 400)
            #expect(try await api.call("GET", "/api/v1/orders?limit=1&sort=total&cursor=x\(cursor)",
                                       bearer: access).status == 400)
            #expect(try await api.call("GET", "/api/v1/orders?limit=1&sort=total&cursor=\(cursor)",
                                       bearer: access).status == 200)
        }
    }
}
