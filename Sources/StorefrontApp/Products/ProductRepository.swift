import Foundation
import Postgres

/// Every SQL statement about products. Rows become `Product`s here; the unique index on
/// live SKUs becomes `ProductError.skuTaken`. Deleted products keep their row (orders keep
/// their own snapshot of what they bought) and are invisible to every read.
struct ProductRepository: Sendable {
    static let columns: SQL = """
        id, sku, name, description, category, price_cents, currency, stock, version, created_at, updated_at
        """
    static let liveSkuIndex = "products_sku_live_key"

    func insert(_ draft: ProductDraft, on db: any DatabaseSession) async throws -> Product {
        let sql: SQL = """
            INSERT INTO products (sku, name, description, category, price_cents, currency, stock)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING
            """ + " " + ProductRepository.columns
        return try await ProductRepository.translatingConflicts {
            guard let row = try await db.query(sql, ProductRepository.binds(draft)).rows.first else {
                throw PostgresError.decoding(column: "id", expected: "a returned row", actual: "none")
            }
            return try Product(row: row)
        }
    }

    /// The seed's insert: nothing when a live product already has the SKU.
    func insertIfAbsent(_ draft: ProductDraft, on db: any DatabaseSession) async throws -> Product? {
        let sql: SQL = """
            INSERT INTO products (sku, name, description, category, price_cents, currency, stock)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sku) WHERE deleted_at IS NULL DO NOTHING RETURNING
            """ + " " + ProductRepository.columns
        return try await db.query(sql, ProductRepository.binds(draft)).rows.first.map(Product.init)
    }

    func find(id: UUID, on db: any DatabaseSession) async throws -> Product? {
        let sql: SQL = "SELECT " + ProductRepository.columns + " FROM products WHERE id = $1 AND deleted_at IS NULL"
        return try await db.query(sql, [id]).rows.first.map(Product.init)
    }

    /// The live product, locked until the transaction ends: a merge patch is computed
    /// from it, so no other write may change it in between.
    func lock(id: UUID, on tx: Transaction) async throws -> Product? {
        let sql: SQL = "SELECT " + ProductRepository.columns
            + " FROM products WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"
        return try await tx.query(sql, [id]).rows.first.map(Product.init)
    }

    /// Replaces every writable field when the version is one of `expected`, in one
    /// statement: nil when no live product with such a version exists.
    func replace(id: UUID, with draft: ProductDraft, expected: ExpectedVersions,
                 on db: any DatabaseSession) async throws -> Product? {
        let sql: SQL = """
            UPDATE products SET sku = $2, name = $3, description = $4, category = $5, price_cents = $6,
                currency = $7, stock = $8, version = version + 1, updated_at = now()
            WHERE id = $1 AND deleted_at IS NULL AND ($9::bigint[] IS NULL OR version = ANY($9::bigint[]))
            RETURNING
            """ + " " + ProductRepository.columns
        let binds: [any PostgresEncodable] = [id] + ProductRepository.binds(draft) + [expected.versions]
        return try await ProductRepository.translatingConflicts {
            try await db.query(sql, binds).rows.first.map(Product.init)
        }
    }

    /// Soft delete under the same version condition; the SKU is free again at once.
    func delete(id: UUID, expected: ExpectedVersions, on db: any DatabaseSession) async throws -> Product? {
        let sql: SQL = """
            UPDATE products SET deleted_at = now(), version = version + 1, updated_at = now()
            WHERE id = $1 AND deleted_at IS NULL AND ($2::bigint[] IS NULL OR version = ANY($2::bigint[]))
            RETURNING
            """ + " " + ProductRepository.columns
        return try await db.query(sql, [id, expected.versions]).rows.first.map(Product.init)
    }

    func exists(id: UUID, on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = "SELECT EXISTS (SELECT 1 FROM products WHERE id = $1 AND deleted_at IS NULL) AS found"
        return try await db.query(sql, [id]).rows.first?.decode("found") ?? false
    }

    private static func binds(_ draft: ProductDraft) -> [any PostgresEncodable] {
        [draft.sku.value, draft.name, draft.description, draft.category, draft.price.cents,
         draft.price.currency.value, draft.stock]
    }

    private static func translatingConflicts<T>(isolation: isolated (any Actor)? = #isolation,
                                                _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError where error.isUniqueViolation(of: ProductRepository.liveSkuIndex) {
            throw ProductError.skuTaken
        }
    }
}

/// Where `ProductRepository.columns` sit in a result, looked up once for all its rows: read
/// by name, each field of each row hashed its column's name (~3% of a list request's CPU).
struct ProductColumns {
    let id, sku, name, description, category, priceCents, currency, stock, version, createdAt, updatedAt: Int

    init(_ row: PostgresRow) throws {
        id = try row.position(of: "id")
        sku = try row.position(of: "sku")
        name = try row.position(of: "name")
        description = try row.position(of: "description")
        category = try row.position(of: "category")
        priceCents = try row.position(of: "price_cents")
        currency = try row.position(of: "currency")
        stock = try row.position(of: "stock")
        version = try row.position(of: "version")
        createdAt = try row.position(of: "created_at")
        updatedAt = try row.position(of: "updated_at")
    }
}

extension Product {
    /// A row selected with `ProductRepository.columns`.
    init(row: PostgresRow) throws {
        try self.init(row: row, columns: ProductColumns(row))
    }

    /// One row of a result whose columns were located once (`ProductColumns`).
    init(row: PostgresRow, columns: ProductColumns) throws {
        let skuText: String = try row.decode(columns.sku)
        let currencyText: String = try row.decode(columns.currency)
        guard let sku = Sku(skuText) else {
            throw PostgresError.decoding(column: "sku", expected: "Sku", actual: "text")
        }
        guard let currency = CurrencyCode(currencyText),
              let price = Money(cents: try row.decode(columns.priceCents), currency: currency) else {
            throw PostgresError.decoding(column: "price_cents", expected: "Money", actual: "bigint")
        }
        self.init(id: try row.decode(columns.id), sku: sku, name: try row.decode(columns.name),
                  description: try row.decode(columns.description), category: try row.decode(columns.category),
                  price: price, stock: try row.decode(columns.stock), version: try row.decode(columns.version),
                  createdAt: try row.decode(columns.createdAt), updatedAt: try row.decode(columns.updatedAt))
    }
}
