import Foundation
import Postgres

/// GET /orders: one statement for the page's orders, one for all their items.
extension OrderRepository {
    func list(filter: OrderFilter, sort: OrderSort, after: KeysetCursor?, limit: Int,
              on db: any DatabaseSession) async throws -> [Keyed<Order>] {
        let sql: SQL = "SELECT " + OrderRepository.columns + """
             FROM orders
            WHERE ($1::uuid IS NULL OR user_id = $1::uuid) AND ($2::uuid IS NULL OR user_id = $2::uuid)
              AND ($3::text IS NULL OR status = $3::text)
              AND ($4::timestamptz IS NULL OR created_at > $4::timestamptz)
              AND ($5::timestamptz IS NULL OR created_at < $5::timestamptz)
              AND
            """ + " " + sort.keysetClause + " LIMIT $8"
        let binds: [any PostgresEncodable] = [filter.owner, filter.userID, filter.status?.rawValue, filter.createdAfter,
                                              filter.createdBefore, after?.key, after?.id, limit + 1]
        let rows = try await db.query(sql, binds).rows
        let ids = try rows.map { try $0.decode("id", as: UUID.self) }
        let items = try await self.items(of: ids, on: db)
        return try rows.map { row in
            let order = try Order(row: row, items: items[try row.decode("id")] ?? [])
            let key = switch sort {
            case .createdAt, .createdAtDescending: try row.decode("created_key", as: String.self)
            case .total, .totalDescending: String(order.totalCents)
            }
            return Keyed(item: order, cursor: KeysetCursor(sort: sort.rawValue, key: key, id: order.id))
        }
    }
}

extension OrderSort {
    /// The page's start after the cursor (`$6` key, `$7` id) and its order, sort key then id.
    var keysetClause: SQL {
        switch self {
        case .createdAt:
            "($6::timestamptz IS NULL OR (created_at, id) > ($6::timestamptz, $7::uuid)) ORDER BY created_at, id"
        case .createdAtDescending:
            "($6::timestamptz IS NULL OR (created_at, id) < ($6::timestamptz, $7::uuid)) ORDER BY created_at DESC, id DESC"
        case .total:
            "($6::bigint IS NULL OR (total_cents, id) > ($6::bigint, $7::uuid)) ORDER BY total_cents, id"
        case .totalDescending:
            "($6::bigint IS NULL OR (total_cents, id) < ($6::bigint, $7::uuid)) ORDER BY total_cents DESC, id DESC"
        }
    }
}
