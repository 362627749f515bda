import Foundation
import Postgres

/// Every SQL statement about API keys. A key counts as live while it is not revoked and
/// not past `expires_at` (which rotation shortens to the grace period).
struct APIKeyRepository: Sendable {
    let pool: PostgresPool

    func insert(userID: UUID, name: String, secret: APIKeySecret, scopes: [Scope], expiresAt: Date?,
                on db: (any DatabaseSession)? = nil) async throws -> APIKey {
        let sql: SQL = """
            INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes, expires_at)
            VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING
            """ + " " + APIKey.columns
        let binds: [any PostgresEncodable] = [userID, name, secret.prefix, secret.hash, scopes.map(\.rawValue), expiresAt]
        guard let row = try await (db ?? pool).query(sql, binds).rows.first else {
            throw MissingRowError(statement: "insert api key")
        }
        return try APIKey(row: row)
    }

    /// One indexed lookup per request: the live key with this hash, joined to its owner.
    func authenticate(hash: [UInt8]) async throws -> AuthenticatedKey? {
        let sql: SQL = """
            SELECT k.id, k.user_id, k.scopes, u.role, (u.disabled OR u.deleted_at IS NOT NULL) AS blocked,
                   (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') AS stale
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
            """
        guard let row = try await pool.query(sql, [hash]).rows.first,
              let role = Role(rawValue: try row.decode("role", as: String.self)) else { return nil }
        return AuthenticatedKey(id: try row.decode("id"), userID: try row.decode("user_id"),
                                scopes: Set(try row.decode("scopes", as: [String].self).compactMap(Scope.init)),
                                ownerRole: role, ownerBlocked: try row.decode("blocked"),
                                usageIsStale: try row.decode("stale"))
    }

    func touch(id: UUID) async throws {
        _ = try await pool.query("UPDATE api_keys SET last_used_at = now() WHERE id = $1", [id])
    }

    /// The owner's keys that are not revoked, oldest first, keyset-paginated.
    func list(userID: UUID, after: KeysetCursor?, limit: Int) async throws -> [APIKey] {
        let sql: SQL = "SELECT " + APIKey.columns + """
             FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL
              AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
            ORDER BY created_at, id LIMIT $4
            """
        return try await pool.query(sql, [userID, after?.key, after?.id, limit + 1]).rows.map(APIKey.init)
    }

    /// A key that is not revoked, whoever owns it (the service decides who may see it).
    func find(id: UUID, on db: (any DatabaseSession)? = nil, locking: Bool = false) async throws -> APIKey? {
        let sql: SQL = locking
            ? "SELECT " + APIKey.columns + " FROM api_keys WHERE id = $1 AND revoked_at IS NULL FOR UPDATE"
            : "SELECT " + APIKey.columns + " FROM api_keys WHERE id = $1 AND revoked_at IS NULL"
        return try await (db ?? pool).query(sql, [id]).rows.first.map(APIKey.init)
    }

    /// The old key points at its successor and stops working `graceSeconds` from now
    /// (or at its own expiry, if that comes first).
    func markRotated(id: UUID, successor: UUID, graceSeconds: Int, on db: any DatabaseSession) async throws {
        let sql: SQL = """
            UPDATE api_keys SET rotated_to = $2,
                expires_at = LEAST(COALESCE(expires_at, 'infinity'), now() + make_interval(secs => $3::int))
            WHERE id = $1
            """
        _ = try await db.query(sql, [id, successor, graceSeconds])
    }

    func revoke(id: UUID) async throws -> Bool {
        let sql: SQL = "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL"
        return try await pool.query(sql, [id]).affectedRows == 1
    }

    func revokeAll(userID: UUID, on db: any DatabaseSession) async throws {
        _ = try await db.query("UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
                               [userID])
    }
}
