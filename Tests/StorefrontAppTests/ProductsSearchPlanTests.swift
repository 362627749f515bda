import Foundation
import Postgres
import Testing
import TestSupport
@testable import StorefrontApp

/// `q=` is served by the trigram indexes, not a scan of the catalogue: 100,000 products,
/// ANALYZEd, and the plan of the repository's own statement for every sort (the output
/// is in docs/products-search.md). A plan, not a timing, so load cannot make it flaky.
@Suite struct ProductsSearchPlanTests {
    static func plan(_ filter: ProductFilter, _ sort: ProductSort, on pool: PostgresPool) async throws -> String {
        let (sql, binds) = ProductRepository.listStatement(filter: filter, sort: sort, after: nil, limit: 20)
        let rows = try await pool.query("EXPLAIN " + sql, binds).rows
        return try rows.map { try $0.decode(0, as: String.self) }.joined(separator: "\n")
    }

    @Test func searchUsesTheTrigramIndexesOnAHundredThousandProducts() async throws {
        try await TestDatabase.with(poolSize: 1) { database in
            _ = try await database.pool.query("""
                INSERT INTO products (sku, name, description, category, price_cents, stock, created_at)
                SELECT 'BULK-' || i, 'Product ' || i, 'Description ' || md5(i::text),
                       (ARRAY['books', 'garden', 'home', 'kitchen', 'toys'])[1 + i % 5], i % 10000, i % 50,
                       '2026-01-01T00:00:00Z'::timestamptz + i * interval '1 second'
                FROM generate_series(1, 100000) AS i
                """)
            _ = try await database.pool.query("ANALYZE products")
            let filters = [ProductFilter(text: "12345"), ProductFilter(text: "e4da3b7f"),
                           ProductFilter(text: "oduct 4242", category: "home", minPriceCents: 100, inStock: true)]
            for filter in filters {
                for sort in ProductSort.allCases {
                    let plan = try await ProductsSearchPlanTests.plan(filter, sort, on: database.pool)
                    #expect(plan.contains("products_name_trgm_idx") && plan.contains("products_description_trgm_idx"),
                            "\(filter.text ?? "") \(sort.rawValue):\n\(plan)")
                    #expect(!plan.contains("Seq Scan"), "\(filter.text ?? "") \(sort.rawValue):\n\(plan)")
                }
            }
            // Without q, the first page of each sort walks that sort's index.
            for sort in ProductSort.allCases {
                let plan = try await ProductsSearchPlanTests.plan(ProductFilter(), sort, on: database.pool)
                #expect(!plan.contains("Seq Scan"), "\(sort.rawValue):\n\(plan)")
            }
        }
    }
}
