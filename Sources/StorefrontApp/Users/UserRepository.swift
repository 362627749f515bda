import Foundation
import Postgres

/// Every SQL statement about accounts (TOTP columns aside: `TOTPRepository`). Rows become
/// `User`s here; unique violations become `UserError.emailTaken`. Deleted (anonymized)
/// users are invisible to every read but an admin's `find(id:includingDeleted:)`; they take
/// no part in email uniqueness (the unique index covers live rows only, migration 0005).
struct UserRepository: Sendable {
    /// The columns every user query selects, in the form `User(row:)` reads.
    static let columns: SQL = """
        id, email, name, role, (totp_secret_sealed IS NOT NULL OR totp_secret_legacy IS NOT NULL) AS mfa_enabled, disabled,
        created_at, updated_at
        """

    func insert(email: Email, name: PersonName, passwordHash: String, role: Role,
                on db: any DatabaseSession) async throws -> User {
        let sql: SQL = "INSERT INTO users (email, name, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING "
            + UserRepository.columns
        do {
            let rows = try await db.query(sql, [email.value, name.value, passwordHash, role.rawValue]).rows
            guard let row = rows.first else { throw MissingRowError(statement: "insert user") }
            return try User(row: row)
        } catch let error as PostgresError where error.isUniqueViolation(of: "users_email_lower_key") {
            throw UserError.emailTaken
        }
    }

    /// `includingDeleted`: also a deleted (anonymized) account, which API.md lets an admin see.
    func find(id: UUID, includingDeleted: Bool = false, on db: any DatabaseSession) async throws -> User? {
        let sql: SQL = includingDeleted
            ? "SELECT " + UserRepository.columns + " FROM users WHERE id = $1"
            : "SELECT " + UserRepository.columns + " FROM users WHERE id = $1 AND deleted_at IS NULL"
        return try await db.query(sql, [id]).rows.first.map(User.init)
    }

    /// The user with this email (compared case-insensitively, by the unique index) and
    /// what a password check needs.
    func credentials(email: String, on db: any DatabaseSession) async throws -> UserCredentials? {
        let sql: SQL = "SELECT " + UserRepository.columns + """
            , password_hash, credentials_version FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL
            """
        return try await db.query(sql, [email]).rows.first.map(UserCredentials.init)
    }

    func credentials(id: UUID, on db: any DatabaseSession) async throws -> UserCredentials? {
        let sql: SQL = "SELECT " + UserRepository.columns + """
            , password_hash, credentials_version FROM users WHERE id = $1 AND deleted_at IS NULL
            """
        return try await db.query(sql, [id]).rows.first.map(UserCredentials.init)
    }

    /// An account that may act now, by primary key: nil for an unknown, disabled or deleted
    /// one. What the auth link reads per request with an access token; the whole row, so
    /// GET /users/me needs no second read.
    func activeAccount(id: UUID, on db: any DatabaseSession) async throws -> User? {
        let sql: SQL = "SELECT " + UserRepository.columns
            + " FROM users WHERE id = $1 AND NOT disabled AND deleted_at IS NULL"
        return try await db.query(sql, [id]).rows.first.map(User.init)
    }

    /// The role alone, for refresh-token rotation inside its transaction.
    func activeRole(id: UUID, on db: any DatabaseSession) async throws -> Role? {
        let sql: SQL = "SELECT role FROM users WHERE id = $1 AND NOT disabled AND deleted_at IS NULL"
        guard let row = try await db.query(sql, [id]).rows.first else { return nil }
        return Role(rawValue: try row.decode("role", as: String.self))
    }

    /// A new password: the credentials version moves on, so a sign-in that verified the old
    /// one cannot start a session afterwards (`lockForSession`). False when the credentials
    /// changed since `version` was read.
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
    func upgradePasswordHash(id: UUID, from old: String, to new: String, on db: any DatabaseSession) async throws {
        _ = try await db.query("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
                               [id, old, new])
    }

    /// Inside the transaction that creates a session: locks the row (a concurrent password
    /// change, disabling or deletion waits for this transaction, then revokes what it made)
    /// and says whether the account is still usable with the credentials sign-in verified.
    func lockForSession(id: UUID, credentialsVersion: Int64, on tx: Transaction) async throws -> Bool {
        let sql: SQL = """
            SELECT 1 AS usable FROM users
            WHERE id = $1 AND credentials_version = $2 AND NOT disabled AND deleted_at IS NULL FOR SHARE
            """
        return try await !tx.query(sql, [id, credentialsVersion]).rows.isEmpty
    }

    func setName(id: UUID, name: PersonName, on db: any DatabaseSession) async throws {
        _ = try await db.query("UPDATE users SET name = $2, updated_at = now() WHERE id = $1", [id, name.value])
    }

    /// Locks every active admin row, so two requests cannot each remove "another" admin
    /// and leave none. Returns their ids.
    func lockActiveAdmins(on tx: Transaction) async throws -> Set<UUID> {
        let sql: SQL = """
            SELECT id FROM users WHERE role = 'admin' AND NOT disabled AND deleted_at IS NULL ORDER BY id FOR UPDATE
            """
        return Set(try await tx.query(sql, []).rows.map { try $0.decode("id", as: UUID.self) })
    }

    func update(id: UUID, role: Role?, disabled: Bool?, on db: any DatabaseSession) async throws -> User? {
        let sql: SQL = "UPDATE users SET role = COALESCE($2, role), disabled = COALESCE($3, disabled), "
            + "updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING " + UserRepository.columns
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
                totp_secret_sealed = NULL, totp_pending_secret_sealed = NULL, totp_secret_legacy = NULL,
                totp_pending_secret_legacy = NULL, totp_last_step = NULL, updated_at = now()
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
            """ + " " + UserRepository.columns
        guard let row = try await db.query(sql, [email.value, name.value, passwordHash]).rows.first else {
            throw MissingRowError(statement: "upsert admin")
        }
        return (try User(row: row), try row.decode("created"))
    }
}

/// What a password check needs besides the user.
struct UserCredentials: Sendable {
    let user: User
    let passwordHash: String
    /// Moves on with every password change (not with a rehash of the same password): a
    /// session may start only while it is still the value sign-in verified.
    let credentialsVersion: Int64
}

extension UserCredentials {
    init(row: PostgresRow) throws {
        user = try User(row: row)
        passwordHash = try row.decode("password_hash")
        credentialsVersion = try row.decode("credentials_version")
    }
}

extension User {
    /// A row selected with `UserRepository.columns`.
    init(row: PostgresRow) throws {
        self.init(id: try row.decode("id"), email: try row.decode("email"), name: try row.decode("name"),
                  role: try User.role(row), mfaEnabled: try row.decode("mfa_enabled"),
                  disabled: try row.decode("disabled"), createdAt: try row.decode("created_at"),
                  updatedAt: try row.decode("updated_at"))
    }

    static func role(_ row: PostgresRow) throws -> Role {
        guard let role = Role(rawValue: try row.decode("role", as: String.self)) else {
            throw PostgresError.decoding(column: "role", expected: "Role", actual: "text")
        }
        return role
    }
}
