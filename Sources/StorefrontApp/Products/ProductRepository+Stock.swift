import Foundation
import Postgres

/// The statements of a sale: lock the products, take stock, give it back. Rows are locked
/// in id order (`ORDER BY id FOR UPDATE`) by every caller, so two orders that share
/// products queue behind each other instead of deadlocking, whatever their line order.
extension ProductRepository {
    /// The live products among `ids`, locked until the transaction ends.
    func lockForSale(ids: [UUID], on tx: Transaction) async throws -> [StockedProduct] {
        let sql: SQL = """
            SELECT id, sku, name, price_cents, currency, stock FROM products
            WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL ORDER BY id FOR UPDATE
            """
        return try await tx.query(sql, [ids]).rows.map { row in
            guard let sku = Sku(try row.decode("sku")),
                  let currency = CurrencyCode(try row.decode("currency")),
                  let price = Money(cents: try row.decode("price_cents"), currency: currency)
            else { throw PostgresError.decoding(column: "sku", expected: "a valid product row", actual: "invalid") }
            return StockedProduct(id: try row.decode("id"), sku: sku, name: try row.decode("name"), price: price,
                                  stock: try row.decode("stock"))
        }
    }

    /// Takes every request's quantity in one statement, only where enough is left; returns
    /// the products it changed (fewer than asked means the caller must roll back). A
    /// product's version grows with its stock, since stock is part of what it shows.
    func take(_ requests: [StockRequest], on tx: Transaction) async throws -> [Product] {
        let sql: SQL = """
            UPDATE products p SET stock = p.stock - x.quantity, version = p.version + 1, updated_at = now()
            FROM unnest($1::uuid[], $2::bigint[]) AS x(product_id, quantity)
            WHERE p.id = x.product_id AND p.deleted_at IS NULL AND p.stock >= x.quantity
            RETURNING
            """ + " " + ProductRepository.columns
        return try await tx.query(sql, [requests.map(\.productID), requests.map(\.quantity)]).rows.map(Product.init)
    }

    /// Gives stock back, deleted products included (their row stays, nothing shows it),
    /// capped at the largest stock a product may hold. Locks in id order first, as a sale
    /// does. Returns the live products it changed.
    func giveBack(_ requests: [StockRequest], on tx: Transaction) async throws -> [Product] {
        let lock: SQL = "SELECT id FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE"
        _ = try await tx.query(lock, [requests.map(\.productID)])
        let sql: SQL = """
            UPDATE products p SET stock = LEAST(p.stock + x.quantity, $3), version = p.version + 1, updated_at = now()
            FROM unnest($1::uuid[], $2::bigint[]) AS x(product_id, quantity)
            WHERE p.id = x.product_id
            RETURNING p.deleted_at IS NULL AS live,
            """ + " " + ProductRepository.columns
        let rows = try await tx.query(sql, [requests.map(\.productID), requests.map(\.quantity),
                                            Product.stockRange.upperBound]).rows
        return try rows.filter { try $0.decode("live") }.map(Product.init)
    }
}
