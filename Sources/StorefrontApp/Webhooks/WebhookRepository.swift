import Foundation
import Postgres
import Resilience

/// Every SQL statement about webhook endpoints. Secrets go in and out sealed only.
struct WebhookRepository: Sendable {
    static let columns: SQL = """
        id, url, events, description, enabled, circuit_state, version, created_at, updated_at,
        created_at::text AS created_key
        """

    func insert(id: UUID, url: WebhookURL, events: WebhookSubscription, description: String?, sealedSecret: [UInt8],
                on db: any DatabaseSession) async throws -> WebhookEndpoint {
        let sql: SQL = """
            INSERT INTO webhook_endpoints (id, url, events, description, secret_sealed)
            VALUES ($1, $2, $3::text[], $4, $5) RETURNING
            """ + " " + WebhookRepository.columns
        let binds: [any PostgresEncodable] = [id, url.text, events.stored, description, sealedSecret]
        guard let row = try await db.query(sql, binds).rows.first else {
            throw MissingRowError(statement: "insert webhook endpoint")
        }
        return try WebhookEndpoint(row: row)
    }

    /// Oldest first, keyset-paginated.
    func list(after: KeysetCursor?, limit: Int, on db: any DatabaseSession) async throws -> [Keyed<WebhookEndpoint>] {
        let sql: SQL = "SELECT " + WebhookRepository.columns + """
             FROM webhook_endpoints
            WHERE ($1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid))
            ORDER BY created_at, id LIMIT $3
            """
        return try await db.query(sql, [after?.key, after?.id, limit + 1]).rows.map { row in
            let endpoint = try WebhookEndpoint(row: row)
            return Keyed(item: endpoint, cursor: KeysetCursor(sort: WebhookSort.createdAt.rawValue,
                                                              key: try row.decode("created_key"), id: endpoint.id))
        }
    }

    func find(id: UUID, on db: any DatabaseSession) async throws -> WebhookEndpoint? {
        let sql: SQL = "SELECT " + WebhookRepository.columns + " FROM webhook_endpoints WHERE id = $1"
        return try await db.query(sql, [id]).rows.first.map(WebhookEndpoint.init)
    }

    /// A merge patch in one statement. `enabled: true` also closes the circuit (API.md):
    /// an admin who re-enables an endpoint has fixed it, or wants a fresh try.
    func update(id: UUID, with patch: WebhookPatch, on db: any DatabaseSession) async throws -> WebhookEndpoint? {
        let sql: SQL = """
            UPDATE webhook_endpoints SET url = COALESCE($2, url), events = COALESCE($3::text[], events),
                description = CASE WHEN $4::boolean THEN $5 ELSE description END,
                enabled = COALESCE($6::boolean, enabled),
                circuit_state = CASE WHEN $6::boolean THEN 'closed' ELSE circuit_state END,
                circuit_failures = CASE WHEN $6::boolean THEN 0 ELSE circuit_failures END,
                circuit_since = CASE WHEN $6::boolean THEN NULL ELSE circuit_since END,
                circuit_generation = circuit_generation + CASE WHEN $6::boolean THEN 1 ELSE 0 END,
                version = version + 1, updated_at = now()
            WHERE id = $1 RETURNING
            """ + " " + WebhookRepository.columns
        let binds: [any PostgresEncodable] = [id, patch.url?.text, patch.events?.stored, patch.description != nil,
                                              patch.description ?? nil, patch.enabled]
        return try await db.query(sql, binds).rows.first.map(WebhookEndpoint.init)
    }

    /// The first `limit` endpoints' circuits, oldest endpoint first.
    func circuits(limit: Int, on db: any DatabaseSession) async throws -> [EndpointCircuit] {
        let sql: SQL = "SELECT id, circuit_state FROM webhook_endpoints ORDER BY created_at, id LIMIT $1"
        return try await db.query(sql, [limit]).rows.compactMap { row in
            guard let phase = CircuitBreaker.Phase(rawValue: try row.decode("circuit_state", as: String.self)) else { return nil }
            return EndpointCircuit(endpointID: try row.decode("id"), phase: phase)
        }
    }

    /// Its deliveries go with it (ON DELETE CASCADE): undelivered ones are dropped.
    func delete(id: UUID, on db: any DatabaseSession) async throws -> Bool {
        try await db.query("DELETE FROM webhook_endpoints WHERE id = $1", [id]).affectedRows == 1
    }

    /// The current secret becomes the previous one, valid for `graceSeconds` more; a
    /// secret replaced earlier is forgotten.
    func rotate(id: UUID, sealedSecret: [UInt8], graceSeconds: Int,
                on db: any DatabaseSession) async throws -> WebhookEndpoint? {
        let sql: SQL = """
            UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed,
                previous_secret_expires_at = now() + make_interval(secs => $3::int), secret_sealed = $2,
                version = version + 1, updated_at = now()
            WHERE id = $1 RETURNING
            """ + " " + WebhookRepository.columns
        return try await db.query(sql, [id, sealedSecret, graceSeconds]).rows.first.map(WebhookEndpoint.init)
    }
}

extension WebhookEndpoint {
    /// A row selected with `WebhookRepository.columns`.
    init(row: PostgresRow) throws {
        guard let circuit = CircuitBreaker.Phase(rawValue: try row.decode("circuit_state", as: String.self)) else {
            throw PostgresError.decoding(column: "circuit_state", expected: "closed, open or half_open", actual: "other")
        }
        self.init(id: try row.decode("id"), url: try row.decode("url"),
                  events: WebhookSubscription(stored: try row.decode("events")), description: try row.decode("description"),
                  enabled: try row.decode("enabled"), circuit: circuit, version: try row.decode("version"),
                  createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
