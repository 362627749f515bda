import Foundation
import Testing
@testable import StorefrontApp

/// API.md, Products: every row of the table, success and failure, as tables grouped by the
/// status they expect. Each table runs on one fresh app and database.
@Suite struct ProductsAPITests {
    static let maxSku = String(repeating: "A", count: 64)
    static let create201: [(label: String, body: String, expect: [String: String])] = [
        ("minimal, defaults", #"{"sku":"ABC-1","name":"Mug","price_cents":1250,"stock":3}"#,
         ["currency": "USD", "description": "<null>", "category": "<null>", "version": "1"]),
        ("every field", #"{"sku":"ABC-2","name":"Mug","description":"Holds tea.\nAnd coffee.","category":"kitchen","price_cents":0,"currency":"EUR","stock":0}"#,
         ["currency": "EUR", "description": "Holds tea.\nAnd coffee.", "category": "kitchen", "price_cents": "0"]),
        ("shortest sku, highest price and stock", #"{"sku":"A-1","name":"Gold","price_cents":999999999999,"stock":1000000000}"#,
         ["sku": "A-1", "price_cents": "999999999999", "stock": "1000000000"]),
        ("longest sku", #"{"sku":"\#(maxSku)","name":"Long","price_cents":1,"stock":1}"#, ["sku": maxSku]),
        ("unicode name, unknown fields ignored", #"{"sku":"ABC-3","name":"Café ☕","price_cents":1,"stock":1,"id":"x","version":9}"#,
         ["name": "Café ☕", "version": "1"]),
        ("zero-decimal currency", #"{"sku":"ABC-4","name":"Bowl","price_cents":1500,"currency":"JPY","stock":2}"#,
         ["currency": "JPY", "price_cents": "1500"]),
    ]

    @Test func create201() async throws {
        try await withCatalog { catalog in
            for row in ProductsAPITests.create201 {
                let response = try await catalog.api.call("POST", "/api/v1/products", body: row.body, bearer: catalog.admin)
                #expect(response.status == 201, "\(row.label): \(response.bodyText)")
                let json = try RunningApp.json(response)
                #expect(response.header("Location") == "/api/v1/products/\(json.id)", "\(row.label)")
                #expect(response.header("ETag") == "\"v1-\(json.id)\"", "\(row.label)")
                for (key, value) in row.expect {
                    let actual = json[key].map { $0 is NSNull ? "<null>" : "\($0)" }
                    #expect(actual == value, "\(row.label): \(key)")
                }
                let fetched = try await catalog.get("/api/v1/products/\(json.id)")
                #expect(fetched.status == 200 && fetched.bodyText == response.bodyText, "\(row.label)")
            }
        }
    }

    @Test func create409SkuTakenAmongLiveProductsAndNothingWritten() async throws {
        try await withCatalog { catalog in
            let first = try await catalog.create(sku: "TAKEN-1")
            let again = try await catalog.api.call("POST", "/api/v1/products",
                                                   body: #"{"sku":"TAKEN-1","name":"Other","price_cents":1,"stock":1}"#,
                                                   bearer: catalog.admin)
            #expect(again.status == 409)
            #expect(errorCode(again) == "SKU_TAKEN")
            try await catalog.create(sku: "OTHER-1")
            for (method, body) in [("PUT", #"{"sku":"TAKEN-1","name":"X","price_cents":1,"stock":1}"#),
                                   ("PATCH", #"{"sku":"TAKEN-1"}"#)] {
                let others = try RunningApp.json(try await catalog.get("/api/v1/products?sort=name"))
                let other = try #require((others["data"] as? [[String: Any]])?.first { $0.string("sku") == "OTHER-1" })
                let response = try await catalog.api.call(method, "/api/v1/products/\(other.id)", body: body,
                                                          bearer: catalog.admin)
                #expect(response.status == 409 && errorCode(response) == "SKU_TAKEN", "\(method)")
            }
            let count = try await catalog.api.db.query("SELECT count(*)::int AS n FROM products").rows.first
            #expect(try count?.decode("n", as: Int.self) == 2)
            #expect(first.int("version") == 1)
        }
    }

    /// Each row: the body and the fields its 422 must name, in reading order.
    static let create422: [(body: String, fields: [String])] = [
        (#"{"sku":"abc-1","name":"A","price_cents":1,"stock":1}"#, ["sku"]),
        (#"{"sku":"AB","name":"A","price_cents":1,"stock":1}"#, ["sku"]),
        (#"{"sku":"\#(String(repeating: "A", count: 65))","name":"A","price_cents":1,"stock":1}"#, ["sku"]),
        (#"{"sku":"ABC_1","name":"A","price_cents":1,"stock":1}"#, ["sku"]),
        (#"{"sku":"ÄBC-1","name":"A","price_cents":1,"stock":1}"#, ["sku"]),
        (#"{"sku":123,"name":"A","price_cents":1,"stock":1}"#, ["sku"]),
        (#"{"name":"A","price_cents":1,"stock":1}"#, ["sku"]),
        (#"{"sku":"ABC-1","name":"","price_cents":1,"stock":1}"#, ["name"]),
        (#"{"sku":"ABC-1","name":"   ","price_cents":1,"stock":1}"#, ["name"]),
        (#"{"sku":"ABC-1","name":"\#(String(repeating: "n", count: 201))","price_cents":1,"stock":1}"#, ["name"]),
        (#"{"sku":"ABC-1","name":"a\u0000b","price_cents":1,"stock":1}"#, ["name"]),
        (#"{"sku":"ABC-1","price_cents":1,"stock":1}"#, ["name"]),
        // 200 combining accents on one letter: one Character, 201 Unicode scalars (what the column counts).
        (#"{"sku":"ABC-1","name":"a\#(String(repeating: "\u{0301}", count: 200))","price_cents":1,"stock":1}"#, ["name"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":-1,"stock":1}"#, ["price_cents"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1.5,"stock":1}"#, ["price_cents"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1e30,"stock":1}"#, ["price_cents"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":9223372036854775808,"stock":1}"#, ["price_cents"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":-9223372036854775809,"stock":1}"#, ["price_cents"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1000000000000,"stock":1}"#, ["price_cents"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":"100","stock":1}"#, ["price_cents"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1}"#, ["stock"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1,"stock":-1}"#, ["stock"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1,"stock":1000000001}"#, ["stock"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1,"stock":99999999999999999999}"#, ["stock"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1,"stock":true}"#, ["stock"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1,"stock":1,"currency":"usd"}"#, ["currency"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1,"stock":1,"currency":"ABC"}"#, ["currency"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1,"stock":1,"currency":"XTS"}"#, ["currency"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1,"stock":1,"description":"\#(String(repeating: "d", count: 10_001))"}"#, ["description"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1,"stock":1,"description":"nul\u0000"}"#, ["description"]),
        (#"{"sku":"ABC-1","name":"A","price_cents":1,"stock":1,"category":""}"#, ["category"]),
        (#"{"sku":"x","name":"","price_cents":-1,"currency":"us","stock":1.5}"#,
         ["sku", "name", "price_cents", "currency", "stock"]),
        ("[]", ["body"]),
        (#""product""#, ["body"]),
    ]

    @Test func create422NamesEveryBadFieldAndWritesNothing() async throws {
        try await withCatalog { catalog in
            for row in ProductsAPITests.create422 {
                let response = try await catalog.api.call("POST", "/api/v1/products", body: row.body, bearer: catalog.admin)
                #expect(response.status == 422, "\(row.body.prefix(80)): \(response.status)")
                #expect(errorCode(response) == "VALIDATION_ERROR")
                #expect(issueFields(response) == row.fields, "\(row.body.prefix(80))")
            }
            let malformed = try await catalog.api.call("POST", "/api/v1/products", body: "{\"sku\":", bearer: catalog.admin)
            #expect(malformed.status == 400)
            let count = try await catalog.api.db.query("SELECT count(*)::int AS n FROM products").rows.first
            #expect(try count?.decode("n", as: Int.self) == 0)
        }
    }

    @Test func get200WithETag404ForUnknownMalformedAndDeleted() async throws {
        try await withCatalog { catalog in
            let product = try await catalog.create(sku: "GET-1")
            let found = try await catalog.get("/api/v1/products/\(product.id)")
            #expect(found.status == 200)
            #expect(found.header("ETag") == "\"v1-\(product.id)\"")
            for path in ["/api/v1/products/\(UUID().uuidString)", "/api/v1/products/not-a-uuid", "/api/v1/products/%00"] {
                #expect(try await catalog.get(path).status == 404, "\(path)")
            }
            #expect(try await catalog.api.call("DELETE", "/api/v1/products/\(product.id)", bearer: catalog.admin).status == 204)
            #expect(try await catalog.get("/api/v1/products/\(product.id)").status == 404)
        }
    }

    @Test func put200ReplacesEveryFieldAndBumpsTheVersion() async throws {
        try await withCatalog { catalog in
            let product = try await catalog.create(sku: "PUT-1", category: "toys", description: "old")
            let response = try await catalog.api.call("PUT", "/api/v1/products/\(product.id)",
                                                      body: #"{"sku":"PUT-2","name":"New","price_cents":7,"stock":9}"#,
                                                      bearer: catalog.admin)
            #expect(response.status == 200)
            let json = try RunningApp.json(response)
            #expect(json.string("sku") == "PUT-2" && json.string("name") == "New" && json.int("price_cents") == 7)
            // Full replacement: what the body leaves out is cleared or defaulted.
            #expect(json["description"] is NSNull && json["category"] is NSNull && json.string("currency") == "USD")
            #expect(json.int("version") == 2)
            #expect(response.header("ETag") == "\"v2-\(product.id)\"")
            #expect(json.string("created_at") == product.string("created_at"))
        }
    }

    @Test func putAndPatchFailures() async throws {
        try await withCatalog { catalog in
            let product = try await catalog.create(sku: "FAIL-1")
            let path = "/api/v1/products/\(product.id)"
            let rows: [(method: String, path: String, body: String, status: Int, fields: [String])] = [
                ("PUT", path, #"{"name":"No sku","price_cents":1,"stock":1}"#, 422, ["sku"]),
                ("PUT", path, #"{"sku":"FAIL-1","name":"A","price_cents":1e30,"stock":-1}"#, 422, ["price_cents", "stock"]),
                ("PUT", "/api/v1/products/\(UUID().uuidString)", #"{"sku":"FAIL-1","name":"A","price_cents":1,"stock":1}"#, 404, []),
                ("PUT", "/api/v1/products/nope", #"{"sku":"FAIL-1","name":"A","price_cents":1,"stock":1}"#, 404, []),
                ("PATCH", path, #"{"name":null}"#, 422, ["name"]),
                ("PATCH", path, #"{"sku":null,"price_cents":null,"stock":null,"currency":null}"#, 422,
                 ["sku", "price_cents", "currency", "stock"]),
                ("PATCH", path, #"{"price_cents":-1}"#, 422, ["price_cents"]),
                ("PATCH", path, #"{"stock":9223372036854775808}"#, 422, ["stock"]),
                ("PATCH", path, #"{"name":""}"#, 422, ["name"]),
                ("PATCH", path, "[1]", 422, ["body"]),
                ("PATCH", path, "{", 400, []),
                ("PATCH", "/api/v1/products/\(UUID().uuidString)", #"{"name":"A"}"#, 404, []),
            ]
            for row in rows {
                let response = try await catalog.api.call(row.method, row.path, body: row.body, bearer: catalog.admin)
                #expect(response.status == row.status, "\(row.method) \(row.body): \(response.bodyText)")
                #expect(issueFields(response) == row.fields, "\(row.method) \(row.body)")
            }
            let unchanged = try RunningApp.json(try await catalog.get(path))
            #expect(unchanged.int("version") == 1 && unchanged.string("name") == "Widget")
        }
    }

    @Test func patch200MergesAsRFC7396() async throws {
        try await withCatalog { catalog in
            let product = try await catalog.create(sku: "PATCH-1", name: "Lamp", price: 500, stock: 2, category: "home",
                                                   description: "Bright")
            let path = "/api/v1/products/\(product.id)"
            let rows: [(body: String, contentType: String, expect: [String: String])] = [
                (#"{"name":"Desk Lamp"}"#, "application/merge-patch+json",
                 ["name": "Desk Lamp", "category": "home", "description": "Bright", "price_cents": "500", "version": "2"]),
                (#"{"description":null,"stock":0}"#, "application/merge-patch+json",
                 ["description": "<null>", "stock": "0", "name": "Desk Lamp", "version": "3"]),
                (#"{"price_cents":450,"currency":"EUR","category":null}"#, "application/json",
                 ["price_cents": "450", "currency": "EUR", "category": "<null>", "version": "4"]),
                (#"{"sku":"PATCH-2","unknown":1}"#, "application/merge-patch+json; charset=utf-8",
                 ["sku": "PATCH-2", "currency": "EUR", "version": "5"]),
            ]
            for row in rows {
                let response = try await catalog.api.call("PATCH", path, body: row.body, bearer: catalog.admin,
                                                          contentType: row.contentType)
                #expect(response.status == 200, "\(row.body): \(response.bodyText)")
                let json = try RunningApp.json(response)
                for (key, value) in row.expect {
                    #expect(json[key].map { $0 is NSNull ? "<null>" : "\($0)" } == value, "\(row.body): \(key)")
                }
                #expect(response.header("ETag") == "\"v\(row.expect["version"] ?? "")-\(product.id)\"")
            }
            let wrongType = try await catalog.api.call("PATCH", path, body: "{}", bearer: catalog.admin, contentType: "text/plain")
            #expect(wrongType.status == 415)
            let mergeOnPost = try await catalog.api.call("POST", "/api/v1/products", body: "{}", bearer: catalog.admin,
                                                         contentType: "application/merge-patch+json")
            #expect(mergeOnPost.status == 415)
        }
    }

    @Test func delete204HidesTheProductKeepsTheRowAndFreesOnlyTheSku() async throws {
        try await withCatalog { catalog in
            let product = try await catalog.create(sku: "GONE-1", name: "Old")
            let path = "/api/v1/products/\(product.id)"
            #expect(try await catalog.api.call("DELETE", path, bearer: catalog.admin).status == 204)
            #expect(try await catalog.get(path).status == 404)
            #expect(try await catalog.api.call("DELETE", path, bearer: catalog.admin).status == 404)
            #expect(try await catalog.api.call("PATCH", path, body: #"{"name":"X"}"#, bearer: catalog.admin).status == 404)
            let list = try RunningApp.json(try await catalog.get("/api/v1/products"))
            #expect((list["data"] as? [[String: Any]])?.isEmpty == true)
            // The row stays for the orders that point at it, with its version bumped.
            let row = try #require(try await catalog.api.db.query(
                "SELECT sku, version, deleted_at IS NOT NULL AS deleted FROM products WHERE id = $1::uuid", [product.id]).rows.first)
            #expect(try row.decode("deleted", as: Bool.self) && row.decode("version", as: Int.self) == 2)
            // Unique among live products: the SKU may be used again.
            let reused = try await catalog.create(sku: "GONE-1", name: "New")
            #expect(reused.id != product.id)
            #expect(try await catalog.get("/api/v1/products/\(reused.id)").status == 200)
        }
    }

    @Test func accessAnonymous401Customer403KeyByScope() async throws {
        try await withCatalog { catalog in
            let api = catalog.api
            let product = try await catalog.create(sku: "ACCESS-1")
            let path = "/api/v1/products/\(product.id)"
            let body = #"{"sku":"ACCESS-2","name":"A","price_cents":1,"stock":1}"#
            let customer = try await api.customer("shopper@example.com").access
            let readKey = try await api.createKey(catalog.admin, scopes: ["products:read"]).key
            let writeKey = try await api.createKey(catalog.admin, scopes: ["products:write"]).key
            let rows: [(label: String, method: String, path: String, bearer: String?, key: String?, status: Int)] = [
                ("anonymous create", "POST", "/api/v1/products", nil, nil, 401),
                ("anonymous replace", "PUT", path, nil, nil, 401),
                ("anonymous patch", "PATCH", path, nil, nil, 401),
                ("anonymous delete", "DELETE", path, nil, nil, 401),
                ("customer create", "POST", "/api/v1/products", customer, nil, 403),
                ("customer patch", "PATCH", path, customer, nil, 403),
                ("customer delete", "DELETE", path, customer, nil, 403),
                ("key without products:write", "POST", "/api/v1/products", nil, readKey, 403),
                ("key without products:write deletes", "DELETE", path, nil, readKey, 403),
                ("anonymous list", "GET", "/api/v1/products", nil, nil, 200),
                ("customer read", "GET", path, customer, nil, 200),
                ("bad credentials on a public route", "GET", path, "not-a-token", nil, 401),
                ("key with products:write", "POST", "/api/v1/products", nil, writeKey, 201),
            ]
            for row in rows {
                let response = try await api.call(row.method, row.path, body: row.method == "GET" || row.method == "DELETE"
                                                  ? nil : (row.method == "PATCH" ? #"{"name":"B"}"# : body),
                                                  bearer: row.bearer, apiKey: row.key)
                #expect(response.status == row.status, "\(row.label): \(response.bodyText)")
                if row.status == 401 { #expect(response.header("WWW-Authenticate") == "Bearer", "\(row.label)") }
            }
            // A customer cannot even be given a key that writes products.
            let refused = try await api.call("POST", "/api/v1/api-keys", body: #"{"name":"x","scopes":["products:write"]}"#,
                                             bearer: customer)
            #expect(refused.status == 403)
        }
    }
}
