import Foundation
import Postgres

/// Every SQL statement about users. Rows become `User`s here; unique violations become
/// `IdentityError.emailTaken`. Deleted (anonymized) users are invisible to every read but
/// an admin's `find(id:includingDeleted:)`; they take no part in email uniqueness (the
/// unique index covers live rows only, migration 0005).
struct UserRepository: Sendable {
    let pool: PostgresPool

    func insert(email: Email, name: PersonName, passwordHash: String, role: Role,
                on db: any DatabaseSession) async throws -> User {
        let sql: SQL = "INSERT INTO users (email, name, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING "
            + User.columns
        do {
            let rows = try await db.query(sql, [email.value, name.value, passwordHash, role.rawValue]).rows
            guard let row = rows.first else { throw MissingRowError(statement: "insert user") }
            return try User(row: row)
        } catch let error as PostgresError where error.isUniqueViolation(of: "users_email_lower_key") {
            throw IdentityError.emailTaken
        }
    }

    func find(id: UUID, on db: (any DatabaseSession)? = nil) async throws -> User? {
        let sql: SQL = "SELECT " + User.columns + " FROM users WHERE id = $1 AND deleted_at IS NULL"
        return try await (db ?? pool).query(sql, [id]).rows.first.map(User.init)
    }

    /// Also a deleted (anonymized) account: API.md lets an admin still see it.
    func find(id: UUID, includingDeleted: Bool) async throws -> User? {
        guard includingDeleted else { return try await find(id: id) }
        return try await pool.query("SELECT " + User.columns + " FROM users WHERE id = $1", [id]).rows.first.map(User.init)
    }

    /// The user with this email (compared case-insensitively, by the unique index) and
    /// what login needs to check.
    func credentials(email: String) async throws -> UserCredentials? {
        let sql: SQL = "SELECT " + User.columns + """
            , password_hash, credentials_version, totp_secret, totp_last_step FROM users
            WHERE lower(email) = lower($1) AND deleted_at IS NULL
            """
        return try await pool.query(sql, [email]).rows.first.map(UserCredentials.init)
    }

    func credentials(id: UUID, on db: (any DatabaseSession)? = nil) async throws -> UserCredentials? {
        let sql: SQL = "SELECT " + User.columns + """
            , password_hash, credentials_version, totp_secret, totp_last_step FROM users
            WHERE id = $1 AND deleted_at IS NULL
            """
        return try await (db ?? pool).query(sql, [id]).rows.first.map(UserCredentials.init)
    }

    /// What the auth link needs per request, by primary key.
    func authState(id: UUID) async throws -> (role: Role, disabled: Bool)? {
        let sql: SQL = "SELECT role, disabled OR deleted_at IS NOT NULL AS blocked FROM users WHERE id = $1"
        guard let row = try await pool.query(sql, [id]).rows.first,
              let role = Role(rawValue: try row.decode("role", as: String.self)) else { return nil }
        return (role, try row.decode("blocked"))
    }

    /// A new password: the credentials version moves on, so a login that verified the old
    /// one cannot start a session afterwards (`lockForSession`).
    /// False when the credentials changed since `version` was read.
    func setPasswordHash(id: UUID, hash: String, ifVersion version: Int64, on db: any DatabaseSession) async throws
        -> Bool {
        let sql: SQL = """
            UPDATE users SET password_hash = $2, credentials_version = credentials_version + 1, updated_at = now()
            WHERE id = $1 AND credentials_version = $3
            """
        return try await db.query(sql, [id, hash, version]).affectedRows == 1
    }

    /// The same password under today's scrypt parameters: not a change of credentials.
    /// Only if the stored hash is still `old`, so it never overwrites a concurrent change.
    func upgradePasswordHash(id: UUID, from old: String, to new: String) async throws {
        _ = try await pool.query("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
                                 [id, old, new])
    }

    /// Inside the transaction that creates a session: locks the row (a concurrent password
    /// change, disabling or deletion waits for this transaction, then revokes what it made)
    /// and says whether the account is still usable with the credentials login verified.
    func lockForSession(id: UUID, credentialsVersion: Int64, on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = """
            SELECT 1 AS usable FROM users
            WHERE id = $1 AND credentials_version = $2 AND NOT disabled AND deleted_at IS NULL FOR SHARE
            """
        return try await !db.query(sql, [id, credentialsVersion]).rows.isEmpty
    }

    func setName(id: UUID, name: PersonName, on db: any DatabaseSession) async throws {
        _ = try await db.query("UPDATE users SET name = $2, updated_at = now() WHERE id = $1", [id, name.value])
    }

    /// Records `step` as the last TOTP step used, only if it is later than the one stored:
    /// false means the code was already used (RFC 6238 §5.2), perhaps by a racing request.
    func claimTOTPStep(id: UUID, step: Int64) async throws -> Bool {
        let sql: SQL = """
            UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)
            """
        return try await pool.query(sql, [id, step]).affectedRows == 1
    }

    func pendingTOTPSecret(id: UUID) async throws -> [UInt8]? {
        let sql: SQL = "SELECT totp_pending_secret FROM users WHERE id = $1 AND deleted_at IS NULL"
        return try await pool.query(sql, [id]).rows.first?.decode("totp_pending_secret", as: [UInt8]?.self)
    }

    func setPendingTOTPSecret(id: UUID, secret: [UInt8]) async throws {
        _ = try await pool.query("UPDATE users SET totp_pending_secret = $2, updated_at = now() WHERE id = $1",
                                 [id, secret])
    }

    /// Turns the pending secret into the active one, unless it changed meanwhile.
    func confirmTOTP(id: UUID, secret: [UInt8], step: Int64) async throws -> Bool {
        let sql: SQL = """
            UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $3,
                updated_at = now()
            WHERE id = $1 AND totp_pending_secret = $2 AND totp_secret IS NULL
            """
        return try await pool.query(sql, [id, secret, step]).affectedRows == 1
    }

    func disableTOTP(id: UUID) async throws {
        let sql: SQL = """
            UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL, updated_at = now()
            WHERE id = $1
            """
        _ = try await pool.query(sql, [id])
    }

    /// Locks every active admin row, so two requests cannot each remove "another" admin
    /// and leave none. Returns their ids.
    func lockActiveAdmins(on db: any DatabaseSession) async throws -> Set<UUID> {
        let sql: SQL = """
            SELECT id FROM users WHERE role = 'admin' AND NOT disabled AND deleted_at IS NULL ORDER BY id FOR UPDATE
            """
        return Set(try await db.query(sql, []).rows.map { try $0.decode("id", as: UUID.self) })
    }

    func update(id: UUID, role: Role?, disabled: Bool?, on db: any DatabaseSession) async throws -> User? {
        let sql: SQL = "UPDATE users SET role = COALESCE($2, role), disabled = COALESCE($3, disabled), "
            + "updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING " + User.columns
        return try await db.query(sql, [id, role?.rawValue, disabled]).rows.first.map(User.init)
    }

    /// Disables the account and replaces everything that identifies the person; the row
    /// stays so orders keep their owner. The password hash becomes unusable. The email
    /// becomes `deleted-<id>`, which has no `@` and so is no address anyone can register;
    /// and deleted rows are outside the unique index anyway, so nothing can collide.
    func anonymize(id: UUID, on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = """
            UPDATE users SET email = 'deleted-' || id::text, name = 'Deleted user',
                password_hash = '!', credentials_version = credentials_version + 1, disabled = true, deleted_at = now(),
                totp_secret = NULL,
                totp_pending_secret = NULL, totp_last_step = NULL, updated_at = now()
            WHERE id = $1 AND deleted_at IS NULL
            """
        return try await db.query(sql, [id]).affectedRows == 1
    }

    /// Creates the admin or promotes (and re-enables) the existing account with this email,
    /// setting its password: `create-admin` is idempotent. True when it created.
    func upsertAdmin(email: Email, name: PersonName, passwordHash: String,
                     on db: any DatabaseSession) async throws -> (user: User, created: Bool) {
        let sql: SQL = "INSERT INTO users (email, name, password_hash, role) VALUES ($1, $2, $3, 'admin') "
            + """
            ON CONFLICT (lower(email)) WHERE deleted_at IS NULL DO UPDATE SET role = 'admin', disabled = false,
                password_hash = $3, credentials_version = users.credentials_version + 1, updated_at = now()
            RETURNING (xmax = 0) AS created,
            """ + " " + User.columns
        guard let row = try await db.query(sql, [email.value, name.value, passwordHash]).rows.first else {
            throw MissingRowError(statement: "upsert admin")
        }
        return (try User(row: row), try row.decode("created"))
    }
}

extension UserCredentials {
    init(row: PostgresRow) throws {
        user = try User(row: row)
        passwordHash = try row.decode("password_hash")
        credentialsVersion = try row.decode("credentials_version")
        totpSecret = try row.decode("totp_secret")
        totpLastStep = try row.decode("totp_last_step")
    }
}
