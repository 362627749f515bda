import Foundation
import Postgres

/// Every SQL statement about orders. An order's items are read for a whole page at once
/// (`order_id = ANY($1)`), so a page costs two statements whatever its size.
struct OrderRepository: Sendable {
    static let columns: SQL = """
        id, user_id, status, total_cents, currency, version, created_at, updated_at, created_at::text AS created_key
        """

    /// The order and its items, in two statements of the caller's transaction.
    func insert(_ draft: OrderDraft, on tx: Transaction) async throws -> Order {
        let sql: SQL = "INSERT INTO orders (user_id, total_cents, currency) VALUES ($1, $2, $3) RETURNING "
            + OrderRepository.columns
        guard let row = try await tx.query(sql, [draft.userID, draft.totalCents, draft.currency]).rows.first else {
            throw PostgresError.decoding(column: "id", expected: "a returned row", actual: "none")
        }
        let order = try Order(row: row, items: draft.items)
        let items: SQL = """
            INSERT INTO order_items (order_id, position, product_id, sku, name, unit_price_cents, quantity, line_total_cents)
            SELECT $1, x.position - 1, x.product_id, x.sku, x.name, x.unit_price_cents, x.quantity, x.line_total_cents
            FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::int[], $7::bigint[])
                WITH ORDINALITY AS x(product_id, sku, name, unit_price_cents, quantity, line_total_cents, position)
            """
        let binds: [any PostgresEncodable] = [order.id, draft.items.map(\.productID), draft.items.map(\.sku),
                                              draft.items.map(\.name), draft.items.map(\.unitPriceCents),
                                              draft.items.map(\.quantity), draft.items.map(\.lineTotalCents)]
        _ = try await tx.query(items, binds)
        return order
    }

    func find(id: UUID, on db: any DatabaseSession) async throws -> Order? {
        let sql: SQL = "SELECT " + OrderRepository.columns + " FROM orders WHERE id = $1"
        guard let row = try await db.query(sql, [id]).rows.first else { return nil }
        return try Order(row: row, items: try await items(of: [id], on: db)[id] ?? [])
    }

    /// Moves the order to `status` when it is in one of `from` and at a version `expected`
    /// allows, in one statement: the check and the write cannot be separated, so of two
    /// racing moves (two cancels, a cancel and a shipment) exactly one matches. Nil when
    /// nothing matched. `items` are the order's, which never change.
    func transition(id: UUID, to status: OrderStatus, from: [OrderStatus], expected: ExpectedVersions,
                    items: [OrderItem], on tx: Transaction) async throws -> Order? {
        let sql: SQL = """
            UPDATE orders SET status = $2, version = version + 1, updated_at = now()
            WHERE id = $1 AND status = ANY($3::text[]) AND ($4::bigint[] IS NULL OR version = ANY($4::bigint[]))
            RETURNING
            """ + " " + OrderRepository.columns
        let binds: [any PostgresEncodable] = [id, status.rawValue, from.map(\.rawValue), expected.versions]
        return try await tx.query(sql, binds).rows.first.map { try Order(row: $0, items: items) }
    }

    /// The items of every order in `ids`, in one statement, by order id.
    func items(of ids: [UUID], on db: any DatabaseSession) async throws -> [UUID: [OrderItem]] {
        guard !ids.isEmpty else { return [:] }
        let sql: SQL = """
            SELECT order_id, product_id, sku, name, unit_price_cents, quantity, line_total_cents FROM order_items
            WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position
            """
        var result: [UUID: [OrderItem]] = [:]
        for row in try await db.query(sql, [ids]).rows {
            let item = OrderItem(productID: try row.decode("product_id"), sku: try row.decode("sku"),
                                 name: try row.decode("name"), unitPriceCents: try row.decode("unit_price_cents"),
                                 quantity: try row.decode("quantity"), lineTotalCents: try row.decode("line_total_cents"))
            result[try row.decode("order_id"), default: []].append(item)
        }
        return result
    }
}

extension Order {
    /// A row selected with `OrderRepository.columns`.
    init(row: PostgresRow, items: [OrderItem]) throws {
        guard let status = OrderStatus(rawValue: try row.decode("status")) else {
            throw PostgresError.decoding(column: "status", expected: "an order status", actual: "unknown")
        }
        self.init(id: try row.decode("id"), userID: try row.decode("user_id"), status: status, items: items,
                  totalCents: try row.decode("total_cents"), currency: try row.decode("currency"),
                  version: try row.decode("version"), createdAt: try row.decode("created_at"),
                  updatedAt: try row.decode("updated_at"))
    }
}
