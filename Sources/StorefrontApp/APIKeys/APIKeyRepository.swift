import Foundation
import Postgres

/// Every SQL statement about API keys. A key counts as live while it is not revoked and
/// not past `expires_at` (which rotation shortens to the grace period).
struct APIKeyRepository: Sendable {
    /// The columns every key query selects, in the form `APIKey(row:)` reads.
    static let columns: SQL = """
        id, user_id, name, prefix, scopes, created_at, expires_at, last_used_at, rotated_to IS NOT NULL AS rotated,
        (expires_at IS NOT NULL AND expires_at <= now()) AS expired, created_at::text AS created_key
        """

    func insert(userID: UUID, name: String, secret: APIKeySecret, scopes: [Scope], expiresAt: Date?,
                on db: any DatabaseSession) async throws -> APIKey {
        let sql: SQL = """
            INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes, expires_at)
            VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING
            """ + " " + APIKeyRepository.columns
        let binds: [any PostgresEncodable] = [userID, name, secret.prefix, secret.hash, scopes.map(\.rawValue), expiresAt]
        guard let row = try await db.query(sql, binds).rows.first else { throw MissingRowError(statement: "insert api key") }
        return try APIKey(row: row)
    }

    /// One indexed lookup per request: the live key with this hash, joined to its owner
    /// (the one read of `users` outside Users: a second query per request would cost more).
    /// `usageIsStale` when `last_used_at` is unset or older than `staleAfterSeconds`.
    func authenticate(hash: [UInt8], staleAfterSeconds: Int, on db: any DatabaseSession) async throws -> AuthenticatedKey? {
        let sql: SQL = """
            SELECT k.id, k.user_id, k.scopes, u.role, (u.disabled OR u.deleted_at IS NOT NULL) AS blocked,
                   (k.last_used_at IS NULL OR k.last_used_at < now() - make_interval(secs => $2::int)) AS stale
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
            """
        guard let row = try await db.query(sql, [hash, staleAfterSeconds]).rows.first,
              let role = Role(rawValue: try row.decode("role", as: String.self)) else { return nil }
        return AuthenticatedKey(id: try row.decode("id"), userID: try row.decode("user_id"),
                                scopes: Set(try row.decode("scopes", as: [String].self).compactMap(Scope.init)),
                                ownerRole: role, ownerBlocked: try row.decode("blocked"),
                                usageIsStale: try row.decode("stale"))
    }

    func touch(id: UUID, on db: any DatabaseSession) async throws {
        _ = try await db.query("UPDATE api_keys SET last_used_at = now() WHERE id = $1", [id])
    }

    /// The owner's keys that are not revoked, oldest first, keyset-paginated.
    func list(userID: UUID, after: KeysetCursor?, limit: Int, on db: any DatabaseSession) async throws -> [Keyed<APIKey>] {
        let sql: SQL = "SELECT " + APIKeyRepository.columns + """
             FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL
              AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
            ORDER BY created_at, id LIMIT $4
            """
        return try await db.query(sql, [userID, after?.key, after?.id, limit + 1]).rows.map { row in
            let key = try APIKey(row: row)
            return Keyed(item: key, cursor: KeysetCursor(sort: APIKeySort.createdAt.rawValue,
                                                         key: try row.decode("created_key"), id: key.id))
        }
    }

    /// A key that is not revoked, whoever owns it (the service decides who may see it).
    func find(id: UUID, on db: any DatabaseSession) async throws -> APIKey? {
        let sql: SQL = "SELECT " + APIKeyRepository.columns + " FROM api_keys WHERE id = $1 AND revoked_at IS NULL"
        return try await db.query(sql, [id]).rows.first.map(APIKey.init)
    }

    /// The same, its row locked until the transaction ends, so two rotations serialize.
    func lock(id: UUID, on tx: Transaction) async throws -> APIKey? {
        let sql: SQL = "SELECT " + APIKeyRepository.columns
            + " FROM api_keys WHERE id = $1 AND revoked_at IS NULL FOR UPDATE"
        return try await tx.query(sql, [id]).rows.first.map(APIKey.init)
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

    func revoke(id: UUID, on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL"
        return try await db.query(sql, [id]).affectedRows == 1
    }

    func revokeAll(userID: UUID, on db: any DatabaseSession) async throws {
        _ = try await db.query("UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
                               [userID])
    }

    /// API.md, Background jobs: keys revoked, or expired, more than `days` ago are deleted
    /// (a key rotated to one of them forgets it). Returns how many.
    func purgeEnded(olderThanDays days: Int, on db: any DatabaseSession) async throws -> Int {
        let sql: SQL = """
            DELETE FROM api_keys
            WHERE revoked_at < now() - make_interval(days => $1::int) OR expires_at < now() - make_interval(days => $1::int)
            """
        return try await db.query(sql, [days]).affectedRows
    }
}

/// What the auth link learns from one lookup of a presented key.
struct AuthenticatedKey: Sendable {
    let id: UUID
    let userID: UUID
    let scopes: Set<Scope>
    let ownerRole: Role
    /// The owner is disabled or deleted.
    let ownerBlocked: Bool
    /// `last_used_at` is old enough to be worth one write.
    let usageIsStale: Bool
}

extension APIKey {
    /// A row selected with `APIKeyRepository.columns`.
    init(row: PostgresRow) throws {
        self.init(id: try row.decode("id"), userID: try row.decode("user_id"), name: try row.decode("name"),
                  prefix: try row.decode("prefix"),
                  scopes: try row.decode("scopes", as: [String].self).compactMap(Scope.init(rawValue:)),
                  createdAt: try row.decode("created_at"), expiresAt: try row.decode("expires_at"),
                  lastUsedAt: try row.decode("last_used_at"), wasRotated: try row.decode("rotated"),
                  isExpired: try row.decode("expired"))
    }
}
