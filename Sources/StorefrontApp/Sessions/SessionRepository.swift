import Foundation
import Postgres

/// Every SQL statement about refresh tokens and their families (one family per sign-in).
/// Tokens are looked up by their SHA-256 only; the plain token never reaches the database.
struct SessionRepository: Sendable {
    func createFamily(userID: UUID, on db: any DatabaseSession) async throws -> UUID {
        let rows = try await db.query("INSERT INTO refresh_token_families (user_id) VALUES ($1) RETURNING id",
                                      [userID]).rows
        guard let row = rows.first else { throw MissingRowError(statement: "insert refresh token family") }
        return try row.decode("id")
    }

    func insert(familyID: UUID, hash: [UInt8], ttlSeconds: Int, on db: any DatabaseSession) async throws {
        let sql: SQL = """
            INSERT INTO refresh_tokens (family_id, token_hash, expires_at)
            VALUES ($1, $2, now() + make_interval(secs => $3::int))
            """
        _ = try await db.query(sql, [familyID, hash, ttlSeconds])
    }

    /// The token with this hash, its row locked so two refreshes of one token serialize
    /// and the second sees it rotated.
    func lockForRotation(hash: [UInt8], on tx: Transaction) async throws -> StoredRefreshToken? {
        let sql: SQL = """
            SELECT t.id, t.family_id, f.user_id, t.rotated_at IS NOT NULL AS rotated, t.expires_at <= now() AS expired,
                   f.revoked_at IS NOT NULL AS family_revoked
            FROM refresh_tokens t JOIN refresh_token_families f ON f.id = t.family_id
            WHERE t.token_hash = $1 FOR UPDATE OF t
            """
        guard let row = try await tx.query(sql, [hash]).rows.first else { return nil }
        return StoredRefreshToken(id: try row.decode("id"), familyID: try row.decode("family_id"),
                                  userID: try row.decode("user_id"), wasRotated: try row.decode("rotated"),
                                  isExpired: try row.decode("expired"),
                                  familyWasRevoked: try row.decode("family_revoked"))
    }

    func markRotated(id: UUID, on db: any DatabaseSession) async throws {
        _ = try await db.query("UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1", [id])
    }

    func revokeFamily(id: UUID, reason: RevocationReason, on db: any DatabaseSession) async throws {
        let sql: SQL = """
            UPDATE refresh_token_families SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL
            """
        _ = try await db.query(sql, [id, reason.rawValue])
    }

    /// Logout: the family of the token with this hash, whatever state the token is in.
    func revokeFamily(ofTokenHash hash: [UInt8], reason: RevocationReason, on db: any DatabaseSession) async throws {
        let sql: SQL = """
            UPDATE refresh_token_families SET revoked_at = now(), revoked_reason = $2
            WHERE revoked_at IS NULL AND id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)
            """
        _ = try await db.query(sql, [hash, reason.rawValue])
    }

    /// API.md, Background jobs: tokens expired, and families revoked, more than `days` ago
    /// are deleted (a revoked family takes its tokens with it), then families left with no
    /// token. A token that old is refused anyway; only its row goes. Returns rows deleted.
    func purgeEnded(olderThanDays days: Int, on db: any DatabaseSession) async throws -> Int {
        let tokens: SQL = "DELETE FROM refresh_tokens WHERE expires_at < now() - make_interval(days => $1::int)"
        let families: SQL = """
            DELETE FROM refresh_token_families f
            WHERE f.revoked_at < now() - make_interval(days => $1::int)
               OR (f.created_at < now() - make_interval(days => $1::int)
                   AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id))
            """
        let deletedTokens = try await db.query(tokens, [days]).affectedRows
        return deletedTokens + (try await db.query(families, [days]).affectedRows)
    }

    /// Every family of the user.
    func revokeAll(userID: UUID, reason: RevocationReason, on db: any DatabaseSession) async throws {
        let sql: SQL = """
            UPDATE refresh_token_families SET revoked_at = now(), revoked_reason = $2
            WHERE user_id = $1 AND revoked_at IS NULL
            """
        _ = try await db.query(sql, [userID, reason.rawValue])
    }
}
