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

extension Product {
    /// A row selected with `ProductRepository.columns`.
    init(row: PostgresRow) throws {
        let skuText: String = try row.decode("sku")
        let currencyText: String = try row.decode("currency")
        guard let sku = Sku(skuText) else {
            throw PostgresError.decoding(column: "sku", expected: "Sku", actual: "text")
        }
        guard let currency = CurrencyCode(currencyText),
              let price = Money(cents: try row.decode("price_cents"), currency: currency) else {
            throw PostgresError.decoding(column: "price_cents", expected: "Money", actual: "bigint")
        }
        self.init(id: try row.decode("id"), sku: sku, name: try row.decode("name"),
                  description: try row.decode("description"), category: try row.decode("category"),
                  price: price, stock: try row.decode("stock"), version: try row.decode("version"),
                  createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
