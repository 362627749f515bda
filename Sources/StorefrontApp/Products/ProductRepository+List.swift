import Foundation
import Postgres

extension ProductRepository {
    /// One page of GET /products: `limit + 1` live rows after `after`, so `Page` can tell
    /// whether another follows. Keyset pagination on (sort key, id), never OFFSET: rows
    /// inserted meanwhile cannot shift a page, and a row is never seen twice.
    func list(filter: ProductFilter, sort: ProductSort, after: KeysetCursor?, limit: Int,
              on db: any DatabaseSession) async throws -> [Keyed<Product>] {
        let (sql, binds) = ProductRepository.listStatement(filter: filter, sort: sort, after: after, limit: limit)
        let rows = try await db.query(sql, binds).rows
        guard let first = rows.first else { return [] }
        let columns = try ProductColumns(first)
        let sortKey = try first.position(of: "sort_key")
        return try rows.map { row in
            let product = try Product(row: row, columns: columns)
            return Keyed(item: product,
                         cursor: KeysetCursor(sort: sort.rawValue, key: try row.decode(sortKey), id: product.id))
        }
    }

    /// The statement and its parameters; the plan test explains exactly this.
    static func listStatement(filter: ProductFilter, sort: ProductSort, after: KeysetCursor?,
                              limit: Int) -> (SQL, [any PostgresEncodable]) {
        var binds: [any PostgresEncodable] = [filter.category, filter.minPriceCents, filter.maxPriceCents,
                                              filter.inStock, after?.key, after?.id, limit + 1]
        if let text = filter.text { binds.append(LikePattern.containing(text)) }
        return (listSQL(sort, searching: filter.text != nil), binds)
    }

    /// A literal statement per sort order, with or without `q`: the order never travels as
    /// text, and a search has its own statement, so even a cached generic plan can use the
    /// trigram indexes (an `$8 IS NULL OR ...` would hide them).
    static func listSQL(_ sort: ProductSort, searching: Bool) -> SQL {
        let filters: SQL = "SELECT " + ProductRepository.columns + sortKey(sort) + """
             FROM products WHERE deleted_at IS NULL
              AND ($1::text IS NULL OR category = $1::text)
              AND ($2::bigint IS NULL OR price_cents >= $2::bigint)
              AND ($3::bigint IS NULL OR price_cents <= $3::bigint)
              AND ($4::boolean IS NULL OR (stock > 0) = $4::boolean)
            """
        // Backslash is LIKE's default escape, which `LikePattern` uses.
        let search: SQL = searching ? " AND (name ILIKE $8::text OR description ILIKE $8::text)" : ""
        return filters + search + keyset(sort)
    }

    /// The keyset key as text: `created_at` with its microseconds (what the comparison
    /// needs to be exact), the price, or the lower-cased name the index orders by.
    private static func sortKey(_ sort: ProductSort) -> SQL {
        switch sort {
        case .createdAt, .createdAtDescending: ", created_at::text AS sort_key"
        case .price, .priceDescending: ", price_cents::text AS sort_key"
        case .name, .nameDescending: ", lower(name) AS sort_key"
        }
    }

    private static func keyset(_ sort: ProductSort) -> SQL {
        switch sort {
        case .createdAt: """
             AND ($5::timestamptz IS NULL OR (created_at, id) > ($5::timestamptz, $6::uuid))
            ORDER BY created_at, id LIMIT $7
            """
        case .createdAtDescending: """
             AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
            ORDER BY created_at DESC, id DESC LIMIT $7
            """
        case .price: """
             AND ($5::bigint IS NULL OR (price_cents, id) > ($5::bigint, $6::uuid))
            ORDER BY price_cents, id LIMIT $7
            """
        case .priceDescending: """
             AND ($5::bigint IS NULL OR (price_cents, id) < ($5::bigint, $6::uuid))
            ORDER BY price_cents DESC, id DESC LIMIT $7
            """
        case .name: """
             AND ($5::text IS NULL OR (lower(name), id) > ($5::text, $6::uuid))
            ORDER BY lower(name), id LIMIT $7
            """
        case .nameDescending: """
             AND ($5::text IS NULL OR (lower(name), id) < ($5::text, $6::uuid))
            ORDER BY lower(name) DESC, id DESC LIMIT $7
            """
        }
    }
}
