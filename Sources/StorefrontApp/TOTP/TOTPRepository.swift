import Foundation
import Postgres

/// Every SQL statement about second factors: the `totp_*` columns of `users`.
struct TOTPRepository: Sendable {
    /// The factor of a user who is not deleted; nil when there is no such user.
    func find(userID: UUID, on db: any DatabaseSession) async throws -> TOTPFactor? {
        let sql: SQL = """
            SELECT totp_secret, totp_last_step, totp_pending_secret FROM users WHERE id = $1 AND deleted_at IS NULL
            """
        guard let row = try await db.query(sql, [userID]).rows.first else { return nil }
        return TOTPFactor(secret: try row.decode("totp_secret"), lastStep: try row.decode("totp_last_step"),
                          pendingSecret: try row.decode("totp_pending_secret"))
    }

    /// Records `step` as the last step used, only if it is later than the one stored:
    /// false means the code was already used (RFC 6238 §5.2), perhaps by a racing request.
    func claimStep(userID: UUID, step: Int64, on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = """
            UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)
            """
        return try await db.query(sql, [userID, step]).affectedRows == 1
    }

    func setPendingSecret(userID: UUID, secret: [UInt8], on db: any DatabaseSession) async throws {
        _ = try await db.query("UPDATE users SET totp_pending_secret = $2, updated_at = now() WHERE id = $1",
                               [userID, secret])
    }

    /// Turns the pending secret into the active one, unless it changed meanwhile.
    func confirm(userID: UUID, secret: [UInt8], step: Int64, on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = """
            UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $3,
                updated_at = now()
            WHERE id = $1 AND totp_pending_secret = $2 AND totp_secret IS NULL
            """
        return try await db.query(sql, [userID, secret, step]).affectedRows == 1
    }

    func disable(userID: UUID, on db: any DatabaseSession) async throws {
        let sql: SQL = """
            UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL, updated_at = now()
            WHERE id = $1
            """
        _ = try await db.query(sql, [userID])
    }
}
