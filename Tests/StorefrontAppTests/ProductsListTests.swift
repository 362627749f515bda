import Foundation
import Testing
@testable import StorefrontApp

/// GET /api/v1/products: every sort on data with ties, filters combined with sorts, keyset
/// paging under concurrent inserts, `q` as a literal substring, and bad parameters.
@Suite struct ProductsListTests {
    /// Nine products with equal prices, equal names (in different case) and three equal
    /// creation times: every sort has ties that only the id can break.
    static func loadTies(_ catalog: CatalogApp) async throws {
        _ = try await catalog.api.db.query("""
            INSERT INTO products (sku, name, price_cents, stock, category, created_at)
            SELECT 'TIE-' || i, (ARRAY['apple', 'Apple', 'banana'])[1 + i % 3], (i % 3) * 100, i % 2,
                   (ARRAY['fruit', 'veg'])[1 + i % 2], '2026-01-01T00:00:00Z'::timestamptz + (i / 3) * interval '1 second'
            FROM generate_series(0, 8) AS i
            """)
    }

    static func expectedOrder(_ rows: [[String: Any]], _ sort: String) -> [String] {
        func key(_ row: [String: Any]) -> String {
            switch sort.trimmingCharacters(in: CharacterSet(charactersIn: "-")) {
            case "price":
                let digits = String(row.int("price_cents") ?? 0)
                return String(repeating: "0", count: 20 - digits.count) + digits
            case "name": return (row.string("name") ?? "").lowercased()
            default: return row.string("created_at") ?? ""
            }
        }
        let ascending = rows.sorted { (key($0), $0.id) < (key($1), $1.id) }.map(\.id)
        return sort.hasPrefix("-") ? ascending.reversed() : ascending
    }

    @Test func everySortOrderIsTotalWithTiesBrokenById() async throws {
        try await withCatalog { catalog in
            try await ProductsListTests.loadTies(catalog)
            for sort in ProductSort.allCases.map(\.rawValue) {
                for limit in [1, 2, 4, 100] {
                    let items = try await catalog.walk("sort=\(sort)", limit: limit)
                    #expect(items.count == 9, "\(sort) limit \(limit)")
                    #expect(items.map(\.id) == ProductsListTests.expectedOrder(items, sort), "\(sort) limit \(limit)")
                }
            }
            // The default is newest first.
            let first = try await catalog.walk("", limit: 100)
            #expect(first.map(\.id) == ProductsListTests.expectedOrder(first, "-created_at"))
        }
    }

    @Test func filtersCombineWithEverySort() async throws {
        try await withCatalog { catalog in
            try await ProductsListTests.loadTies(catalog)
            let rows: [(query: String, skus: Set<String>)] = [
                ("category=fruit", ["TIE-0", "TIE-2", "TIE-4", "TIE-6", "TIE-8"]),
                ("in_stock=true", ["TIE-1", "TIE-3", "TIE-5", "TIE-7"]),
                ("in_stock=false", ["TIE-0", "TIE-2", "TIE-4", "TIE-6", "TIE-8"]),
                ("min_price=100&max_price=100", ["TIE-1", "TIE-4", "TIE-7"]),
                ("min_price=150", ["TIE-2", "TIE-5", "TIE-8"]),
                ("max_price=0", ["TIE-0", "TIE-3", "TIE-6"]),
                ("q=APPLE&category=veg", ["TIE-1", "TIE-3", "TIE-7"]),
                ("q=an&min_price=1&in_stock=true", ["TIE-5"]),
                ("category=none", []),
            ]
            for row in rows {
                for sort in ProductSort.allCases.map(\.rawValue) {
                    let items = try await catalog.walk("\(row.query)&sort=\(sort)", limit: 2)
                    #expect(Set(items.compactMap { $0.string("sku") }) == row.skus, "\(row.query) \(sort)")
                    #expect(items.count == row.skus.count, "\(row.query) \(sort)")
                    #expect(items.map(\.id) == ProductsListTests.expectedOrder(items, sort), "\(row.query) \(sort)")
                }
            }
        }
    }

    /// Products created between page requests (before, after and among the walked ones)
    /// neither repeat nor hide any row that was there when the walk began.
    @Test func walkingAllPagesWhileInsertingHasNoDuplicatesOrGaps() async throws {
        try await withCatalog { catalog in
            try await ProductsListTests.loadTies(catalog)
            let before = Set(try await catalog.walk("", limit: 100).map(\.id))
            var inserted = 0
            for sort in ProductSort.allCases.map(\.rawValue) {
                let items = try await catalog.walk("sort=\(sort)", limit: 2) {
                    inserted += 1
                    try await catalog.create(sku: "NEW-\(inserted)", name: inserted % 2 == 0 ? "apple" : "zebra",
                                             price: (inserted % 3) * 100)
                }
                let ids = items.map(\.id)
                #expect(Set(ids).count == ids.count, "\(sort): duplicates")
                #expect(before.isSubset(of: Set(ids)), "\(sort): gaps")
            }
            #expect(inserted >= 24)
        }
    }

    @Test func qIsALiteralCaseInsensitiveSubstringOfNameOrDescription() async throws {
        try await withCatalog { catalog in
            try await catalog.create(sku: "Q-1", name: "100% Cotton Shirt")
            try await catalog.create(sku: "Q-2", name: "Cotton shirt", description: "soft_touch finish")
            try await catalog.create(sku: "Q-3", name: "Wool hat", description: "back\\\\slash")
            try await catalog.create(sku: "Q-4", name: "Ünïcode Ünits")
            let rows: [(q: String, skus: Set<String>)] = [
                ("cotton", ["Q-1", "Q-2"]), ("SHIRT", ["Q-1", "Q-2"]), ("%25", ["Q-1"]), ("0%25+C", ["Q-1"]),
                ("_", ["Q-2"]), ("n_s", []), ("%25%25", []), ("soft_", ["Q-2"]), ("%5C", ["Q-3"]),
                ("FINISH", ["Q-2"]), ("n%C3%AFc", ["Q-4"]), ("%25%CC%81", []), ("hat", ["Q-3"]), ("nothing", []),
            ]
            for row in rows {
                let items = try await catalog.walk("q=\(row.q)", limit: 100)
                #expect(Set(items.compactMap { $0.string("sku") }) == row.skus, "q=\(row.q)")
            }
        }
    }

    /// Bad parameters: each row's 422 names exactly these fields, in order; cursors are 400.
    static let badParameters: [(query: String, status: Int, fields: [String])] = [
        ("min_price=-1&max_price=99999999999999999999&limit=0&sort=bogus", 422,
         ["min_price", "max_price", "limit", "sort"]),
        ("min_price=1e3", 422, ["min_price"]), ("max_price=1.5", 422, ["max_price"]),
        ("max_price=1000000000000", 422, ["max_price"]), ("min_price=9223372036854775808", 422, ["min_price"]),
        ("min_price=5&max_price=4", 422, ["min_price"]), ("min_price=", 422, ["min_price"]),
        ("limit=101", 422, ["limit"]), ("limit=-1", 422, ["limit"]), ("limit=99999999999999999999", 422, ["limit"]),
        ("in_stock=yes", 422, ["in_stock"]), ("sort=price,name", 422, ["sort"]), ("sort=email", 422, ["sort"]),
        ("q=", 422, ["q"]), ("q=%00", 422, ["q"]), ("q=a%00b", 422, ["q"]),
        ("q=\(String(repeating: "x", count: 101))", 422, ["q"]), ("q=%FF", 422, ["q"]), ("category=%C3", 422, ["category"]),
        ("category=", 422, ["category"]), ("category=\(String(repeating: "c", count: 65))", 422, ["category"]),
        ("q=%00&category=&in_stock=1&limit=x", 422, ["q", "category", "in_stock", "limit"]),
        ("cursor=garbage", 400, []), ("cursor=eyJzIjoicHJpY2UifQ.AAAAAAAAAAAAAAAAAAAAAA", 400, []),
    ]

    @Test func badParametersAreRefusedNamingEachField() async throws {
        try await withCatalog { catalog in
            try await catalog.create(sku: "P-1")
            for row in ProductsListTests.badParameters {
                let response = try await catalog.get("/api/v1/products?\(row.query)")
                #expect(response.status == row.status, "\(row.query.prefix(60)): \(response.bodyText)")
                #expect(issueFields(response) == row.fields, "\(row.query.prefix(60))")
            }
            // A cursor made for one sort does not page another.
            try await catalog.create(sku: "P-2")
            let page = try RunningApp.json(try await catalog.get("/api/v1/products?sort=price&limit=1"))
            let cursor = try #require((page["pagination"] as? [String: Any])?["next_cursor"] as? String)
            #expect(try await catalog.get("/api/v1/products?sort=name&cursor=\(cursor)").status == 400)
            #expect(try await catalog.get("/api/v1/products?sort=price&cursor=\(cursor)").status == 200)
        }
    }

    @Test func pagesCarryLinksAndALinkHeader() async throws {
        try await withCatalog { catalog in
            try await ProductsListTests.loadTies(catalog)
            let response = try await catalog.get("/api/v1/products?sort=price&category=fruit&limit=2")
            let json = try RunningApp.json(response)
            let pagination = try #require(json["pagination"] as? [String: Any])
            #expect(pagination["has_more"] as? Bool == true && pagination["limit"] as? Int == 2)
            let links = try #require(json["links"] as? [String: Any])
            #expect(links["self"] as? String == "/api/v1/products?category=fruit&limit=2&sort=price")
            let next = try #require(links["next"] as? String)
            #expect(response.header("Link") == "<\(next)>; rel=\"next\"")
            #expect(next.contains("category=fruit") && next.contains("cursor="))
        }
    }
}
