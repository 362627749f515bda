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
        // Loading 100,000 rows through seven indexes is the one slow statement of the suite.
        let database = try await TestDatabase.create(poolSize: 1, statementTimeout: .seconds(600))
        do {
            try await ProductsSearchPlanTests.check(database)
        } catch {
            try? await database.drop()
            throw error
        }
        try await database.drop()
    }

    static func check(_ database: TestDatabase) async throws {
        // The migration's own indexes, dropped for the load and rebuilt from their stored
        // definitions: one bulk build instead of 100,000 trigram insertions, which would
        // slow every other test on the cluster for minutes.
        _ = try await database.pool.query("""
            DO $$
            DECLARE
                definitions text[];
                definition text;
            BEGIN
                SELECT array_agg(indexdef) INTO definitions FROM pg_indexes
                WHERE tablename = 'products' AND indexname <> 'products_pkey';
                EXECUTE (SELECT 'DROP INDEX ' || string_agg(quote_ident(indexname), ', ') FROM pg_indexes
                         WHERE tablename = 'products' AND indexname <> 'products_pkey');
                INSERT INTO products (sku, name, description, category, price_cents, stock, created_at)
                SELECT 'BULK-' || i, 'Product ' || i, 'Description ' || md5(i::text),
                       (ARRAY['books', 'garden', 'home', 'kitchen', 'toys'])[1 + i % 5], i % 10000, i % 50,
                       '2026-01-01T00:00:00Z'::timestamptz + i * interval '1 second'
                FROM generate_series(1, 100000) AS i;
                FOREACH definition IN ARRAY definitions LOOP
                    EXECUTE definition;
                END LOOP;
            END
            $$
            """)
        let indexes = try await database.pool.query(
            "SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'products'").rows.first
        #expect(try indexes?.decode("n", as: Int.self) == 8)
        _ = try await database.pool.query("ANALYZE products")
        for filter in [ProductFilter(text: "12345"), ProductFilter(text: "e4da3b7f")] {
            for sort in ProductSort.allCases {
                let plan = try await ProductsSearchPlanTests.plan(filter, sort, on: database.pool)
                #expect(plan.contains("products_name_trgm_idx") && plan.contains("products_description_trgm_idx"),
                        "\(filter.text ?? "") \(sort.rawValue):\n\(plan)")
                #expect(!plan.contains("Seq Scan"), "\(filter.text ?? "") \(sort.rawValue):\n\(plan)")
            }
        }
        // Without q, the first page of each sort walks that sort's index. So may a search
        // combined with other filters: with LIMIT 21 and a few hundred estimated matches,
        // walking the sort index until 21 rows pass is as cheap as the trigram bitmap, and
        // ANALYZE's random sample decides between them; either is fine, a scan is not.
        let combined = ProductFilter(text: "oduct 4242", category: "home", minPriceCents: 100, inStock: true)
        for filter in [ProductFilter(), combined] {
            for sort in ProductSort.allCases {
                let plan = try await ProductsSearchPlanTests.plan(filter, sort, on: database.pool)
                #expect(!plan.contains("Seq Scan"), "\(filter.text ?? "") \(sort.rawValue):\n\(plan)")
            }
        }
    }
}
