import Foundation
import Postgres

/// Every SQL statement about second factors: the `totp_*` columns of `users`. Secrets are
/// stored sealed (`*_sealed`); the `*_legacy` columns hold values from before migration
/// 0010 until `sealLegacy` replaces them.
struct TOTPRepository: Sendable {
    /// The factor of a user who is not deleted; nil when there is no such user.
    func find(userID: UUID, on db: any DatabaseSession) async throws -> TOTPFactor? {
        let sql: SQL = """
            SELECT totp_secret_sealed, totp_last_step, totp_pending_secret_sealed,
                (totp_secret_legacy IS NOT NULL OR totp_pending_secret_legacy IS NOT NULL) AS has_legacy
            FROM users WHERE id = $1 AND deleted_at IS NULL
            """
        guard let row = try await db.query(sql, [userID]).rows.first else { return nil }
        return TOTPFactor(sealedSecret: try row.decode("totp_secret_sealed"), lastStep: try row.decode("totp_last_step"),
                          sealedPendingSecret: try row.decode("totp_pending_secret_sealed"),
                          hasLegacySecret: try row.decode("has_legacy"))
    }

    /// Records `step` as the last step used, only if it is later than the one stored:
    /// false means the code was already used (RFC 6238 §5.2), perhaps by a racing request.
    func claimStep(userID: UUID, step: Int64, on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = """
            UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)
            """
        return try await db.query(sql, [userID, step]).affectedRows == 1
    }

    func setPendingSecret(userID: UUID, sealed: [UInt8], on db: any DatabaseSession) async throws {
        _ = try await db.query("UPDATE users SET totp_pending_secret_sealed = $2, updated_at = now() WHERE id = $1",
                               [userID, sealed])
    }

    /// Turns the pending secret into the active one, unless it changed meanwhile. The
    /// sealed bytes move as they are: both columns are sealed for the same owner.
    func confirm(userID: UUID, sealedPending: [UInt8], step: Int64, on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = """
            UPDATE users SET totp_secret_sealed = totp_pending_secret_sealed, totp_pending_secret_sealed = NULL,
                totp_last_step = $3, updated_at = now()
            WHERE id = $1 AND totp_pending_secret_sealed = $2 AND totp_secret_sealed IS NULL
            """
        return try await db.query(sql, [userID, sealedPending, step]).affectedRows == 1
    }

    func disable(userID: UUID, on db: any DatabaseSession) async throws {
        let sql: SQL = """
            UPDATE users SET totp_secret_sealed = NULL, totp_pending_secret_sealed = NULL, totp_secret_legacy = NULL,
                totp_pending_secret_legacy = NULL, totp_last_step = NULL, updated_at = now()
            WHERE id = $1
            """
        _ = try await db.query(sql, [userID])
    }

    /// Whether migration 0010's legacy columns exist: not before it (`migrate up --to 9`),
    /// when there is nothing to seal.
    func hasLegacyColumns(on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = """
            SELECT 1 FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'totp_secret_legacy'
            """
        return try await !db.query(sql, []).rows.isEmpty
    }

    /// Up to `limit` rows still holding a clear secret, locked; rows another instance is
    /// sealing are skipped, so instances sealing at once share the work.
    func lockLegacy(limit: Int, on tx: Transaction) async throws -> [LegacyTOTPSecrets] {
        let sql: SQL = """
            SELECT id, totp_secret_legacy, totp_pending_secret_legacy FROM users
            WHERE totp_secret_legacy IS NOT NULL OR totp_pending_secret_legacy IS NOT NULL
            ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
            """
        return try await tx.query(sql, [limit]).rows.map(LegacyTOTPSecrets.init)
    }

    /// `userID`'s clear secrets, if any, locked. This one waits for a pass sealing the row
    /// right now instead of skipping it, so its caller then reads the sealed form.
    func lockLegacy(userID: UUID, on tx: Transaction) async throws -> LegacyTOTPSecrets? {
        let sql: SQL = """
            SELECT id, totp_secret_legacy, totp_pending_secret_legacy FROM users
            WHERE id = $1 AND (totp_secret_legacy IS NOT NULL OR totp_pending_secret_legacy IS NOT NULL)
            FOR UPDATE
            """
        return try await tx.query(sql, [userID]).rows.first.map(LegacyTOTPSecrets.init)
    }

    /// Stores the sealed forms and clears the clear ones. A secret sealed since (a new
    /// enrolment) wins over the legacy one.
    func replaceLegacy(userID: UUID, sealedSecret: [UInt8]?, sealedPending: [UInt8]?, on tx: Transaction) async throws {
        let sql: SQL = """
            UPDATE users SET totp_secret_sealed = COALESCE(totp_secret_sealed, $2),
                totp_pending_secret_sealed = COALESCE(totp_pending_secret_sealed, $3),
                totp_secret_legacy = NULL, totp_pending_secret_legacy = NULL
            WHERE id = $1
            """
        _ = try await tx.query(sql, [userID, sealedSecret, sealedPending])
    }
}

extension LegacyTOTPSecrets {
    init(row: PostgresRow) throws {
        self.init(userID: try row.decode("id"), secret: try row.decode("totp_secret_legacy"),
                  pendingSecret: try row.decode("totp_pending_secret_legacy"))
    }
}
