import Foundation
import Postgres

/// Every SQL statement about stored idempotent responses. A row counts for
/// `retentionSeconds` after it was written; older ones are ignored and later purged.
struct IdempotencyRepository: Sendable {
    /// API.md, Idempotency: responses are kept for 24 h.
    static let retentionSeconds = 24 * 60 * 60

    /// The transaction-scoped lock that says "a request with this key is running". Taken
    /// without waiting, so a concurrent duplicate is told at once (409) instead of queueing
    /// behind the first; released by the first request's commit or rollback. Two keys whose
    /// 64-bit hashes collide merely see each other as in progress, and a retry succeeds.
    func tryLock(userID: UUID, key: String, on tx: Transaction) async throws -> Bool {
        let sql: SQL = "SELECT pg_try_advisory_xact_lock(hashtextextended($1::text || '/' || $2, 0)) AS locked"
        guard let row = try await tx.query(sql, [userID, key]).rows.first else { return false }
        return try row.decode("locked")
    }

    /// The live record of this key, if any.
    func find(userID: UUID, key: String, on db: any DatabaseSession) async throws -> IdempotencyRecord? {
        let sql: SQL = """
            SELECT fingerprint, status, content_type, location, etag, body FROM idempotency_keys
            WHERE user_id = $1 AND key = $2 AND created_at > now() - make_interval(secs => $3::int)
            """
        guard let row = try await db.query(sql, [userID, key, IdempotencyRepository.retentionSeconds]).rows.first else {
            return nil
        }
        return IdempotencyRecord(fingerprint: RequestFingerprint(digest: try row.decode("fingerprint")),
                                 response: StoredResponse(status: try row.decode("status"),
                                                          contentType: try row.decode("content_type"),
                                                          location: try row.decode("location"),
                                                          etag: try row.decode("etag"),
                                                          body: try row.decode("body")))
    }

    /// Stores the answer; an expired row of the same key is replaced. False when a live row
    /// exists already: the insert is the final arbiter, should two requests ever get past
    /// the lock, and the loser's transaction (with its order) must then roll back.
    func insert(userID: UUID, key: String, fingerprint: RequestFingerprint, response: StoredResponse,
                on tx: Transaction) async throws -> Bool {
        let sql: SQL = """
            INSERT INTO idempotency_keys (user_id, key, fingerprint, status, content_type, location, etag, body)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status,
                content_type = EXCLUDED.content_type, location = EXCLUDED.location, etag = EXCLUDED.etag,
                body = EXCLUDED.body, created_at = now()
            WHERE idempotency_keys.created_at <= now() - make_interval(secs => $9::int)
            """
        let binds: [any PostgresEncodable] = [userID, key, fingerprint.digest, response.status, response.contentType,
                                              response.location, response.etag, response.body,
                                              IdempotencyRepository.retentionSeconds]
        return try await tx.query(sql, binds).affectedRows == 1
    }

    /// Deletes expired rows; returns how many.
    func purgeExpired(on db: any DatabaseSession) async throws -> Int {
        let sql: SQL = "DELETE FROM idempotency_keys WHERE created_at <= now() - make_interval(secs => $1::int)"
        return try await db.query(sql, [IdempotencyRepository.retentionSeconds]).affectedRows
    }
}
