import Foundation
import Postgres

/// The SQL of delivery records as admins see them: making, listing, redelivering and
/// purging. The statements of an attempt itself are in `AttemptRepository`.
struct DeliveryRepository: Sendable {
    static let columns: SQL = """
        id, endpoint_id, event_id, event_type, status, attempts, created_at, last_attempt_at, next_attempt_at,
        last_response_status, last_error, created_at::text AS created_key
        """

    /// A pending delivery due at once. `body` is the exact JSON every attempt will send.
    func insert(endpointID: UUID, eventID: UUID, eventType: String, body: String,
                on db: any DatabaseSession) async throws -> WebhookDelivery {
        let sql: SQL = """
            INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, body, next_attempt_at)
            VALUES ($1, $2, $3, $4, now()) RETURNING
            """ + " " + DeliveryRepository.columns
        guard let row = try await db.query(sql, [endpointID, eventID, eventType, body]).rows.first else {
            throw MissingRowError(statement: "insert webhook delivery")
        }
        return try WebhookDelivery(row: row)
    }

    /// One delivery of the event per enabled endpoint subscribed to its type, due now;
    /// returns the ids of those made. A rerun (the fan-out job ran twice) makes none twice.
    func fanOut(eventID: UUID, eventType: String, body: String, on tx: Transaction) async throws -> [UUID] {
        let sql: SQL = """
            INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, body, next_attempt_at)
            SELECT id, $1, $2, $3, now() FROM webhook_endpoints
            WHERE enabled AND (events = ARRAY['*'] OR $2 = ANY(events))
            ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id
            """
        return try await tx.query(sql, [eventID, eventType, body]).rows.map { try $0.decode("id") }
    }

    /// One endpoint's deliveries, newest first, keyset-paginated, optionally of one status.
    func list(endpointID: UUID, status: DeliveryStatus?, after: KeysetCursor?, limit: Int,
              on db: any DatabaseSession) async throws -> [Keyed<WebhookDelivery>] {
        let sql: SQL = "SELECT " + DeliveryRepository.columns + """
             FROM webhook_deliveries WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2)
              AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
            ORDER BY created_at DESC, id DESC LIMIT $5
            """
        let binds: [any PostgresEncodable] = [endpointID, status?.rawValue, after?.key, after?.id, limit + 1]
        return try await db.query(sql, binds).rows.map { row in
            let delivery = try WebhookDelivery(row: row)
            return Keyed(item: delivery, cursor: KeysetCursor(sort: DeliverySort.createdAtDescending.rawValue,
                                                              key: try row.decode("created_key"), id: delivery.id))
        }
    }

    func find(id: UUID, endpointID: UUID, on db: any DatabaseSession) async throws -> WebhookDelivery? {
        let sql: SQL = "SELECT " + DeliveryRepository.columns
            + " FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2"
        return try await db.query(sql, [id, endpointID]).rows.first.map(WebhookDelivery.init)
    }

    /// A failed or dead delivery back to pending, due now, its attempts starting over; nil
    /// when it is in another state (or not this endpoint's).
    func redeliver(id: UUID, endpointID: UUID, on db: any DatabaseSession) async throws -> WebhookDelivery? {
        let sql: SQL = """
            UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now()
            WHERE id = $1 AND endpoint_id = $2 AND status IN ('failed', 'dead') RETURNING
            """ + " " + DeliveryRepository.columns
        return try await db.query(sql, [id, endpointID]).rows.first.map(WebhookDelivery.init)
    }

    /// Deletes records older than `days`; returns how many.
    func purge(olderThanDays days: Int, on db: any DatabaseSession) async throws -> Int {
        let sql: SQL = "DELETE FROM webhook_deliveries WHERE created_at < now() - make_interval(days => $1::int)"
        return try await db.query(sql, [days]).affectedRows
    }
}

extension WebhookDelivery {
    /// A row selected with `DeliveryRepository.columns`.
    init(row: PostgresRow) throws {
        guard let status = DeliveryStatus(rawValue: try row.decode("status", as: String.self)) else {
            throw PostgresError.decoding(column: "status", expected: "a delivery status", actual: "other")
        }
        self.init(id: try row.decode("id"), endpointID: try row.decode("endpoint_id"), eventID: try row.decode("event_id"),
                  eventType: try row.decode("event_type"), status: status, attempts: try row.decode("attempts"),
                  createdAt: try row.decode("created_at"), lastAttemptAt: try row.decode("last_attempt_at"),
                  nextAttemptAt: try row.decode("next_attempt_at"),
                  lastResponseStatus: try row.decode("last_response_status"), lastError: try row.decode("last_error"))
    }
}
