import Foundation
import Postgres

/// Every SQL statement about the outbox's `events` table (migration 0011).
struct EventRepository: Sendable {
    /// Inserts one row per type and data, in one statement; returns their ids.
    func insert(types: [String], data: [String], on tx: Transaction) async throws -> [UUID] {
        let sql: SQL = "INSERT INTO events (type, data) SELECT * FROM unnest($1::text[], $2::json[]) RETURNING id"
        let ids: [UUID] = try await tx.query(sql, [types, data]).rows.map { try $0.decode("id") }
        guard ids.count == types.count else { throw MissingRowError(statement: "INSERT INTO events") }
        return ids
    }

    func find(id: UUID, on db: any DatabaseSession) async throws -> OutboxEvent? {
        let sql: SQL = "SELECT id, type, data::text AS data, created_at FROM events WHERE id = $1"
        guard let row = try await db.query(sql, [id]).rows.first else { return nil }
        return OutboxEvent(id: try row.decode("id"), type: try row.decode("type"), data: try row.decode("data"),
                           createdAt: try row.decode("created_at"))
    }

    /// Deletes events older than `days` whose fan-out job has finished (or is gone); returns
    /// how many. An event still waiting to be fanned out is kept, however old: its job reads
    /// it. Deliveries keep their own copy of the body, so a purged event loses nothing they need.
    func purge(olderThanDays days: Int, on db: any DatabaseSession) async throws -> Int {
        let sql: SQL = """
            DELETE FROM events e
            WHERE e.created_at < now() - make_interval(days => $1::int)
              AND NOT EXISTS (SELECT 1 FROM jobs j
                              WHERE j.kind = 'event.published' AND j.state IN ('ready', 'running')
                                AND j.payload->>'event_id' = e.id::text)
            """
        return try await db.query(sql, [days]).affectedRows
    }
}
