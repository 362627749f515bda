import Crypto
import Foundation
import Postgres
import Testing
import TestSupport
@testable import StorefrontApp

/// Migration 0010 and its Swift half: secrets stored in the clear before it are sealed by
/// the start-up pass (or at their next use) and cleared, and its down migration refuses to
/// drop sealed secrets.
@Suite struct TOTPLegacyMigrationTests {
    /// A database at migration 0009 with one account holding a clear TOTP secret (and one
    /// with a clear pending secret), then migrated to the end; returns their ids.
    static func legacyDatabase(_ database: TestDatabase, secret: [UInt8]) async throws -> (active: UUID, pending: UUID) {
        let migrator = Migrator(pool: database.pool, directory: TestEnvironment.migrationsDirectory)
        try await migrator.up(to: 9)
        let hash = try RunningApp.cheapHasher.hash(TOTPSecretsAtRestTests.password)
        let insert: SQL = """
            INSERT INTO users (email, name, password_hash, totp_secret, totp_pending_secret)
            VALUES ($1, 'Legacy', $2, $3, $4) RETURNING id
            """
        let active: UUID = try await database.pool.query(insert, ["legacy@example.com", hash, secret, nil as [UInt8]?])
            .rows[0].decode("id")
        let pending: UUID = try await database.pool.query(insert, ["half@example.com", hash, nil as [UInt8]?, secret])
            .rows[0].decode("id")
        try await migrator.up()
        return (active, pending)
    }

    static func environment(_ database: TestDatabase) -> [String: String] {
        ["DATABASE_URL": database.conninfo, "JWT_SECRET": testJWTSecret, "APP_ENV": "test", "DB_POOL_SIZE": "2",
         "DATA_ENCRYPTION_KEY": TOTPSecretsAtRestTests.keyA]
    }

    static func legacyCount(_ pool: PostgresPool) async throws -> Int64 {
        try await pool.query("""
            SELECT count(*) AS n FROM users WHERE totp_secret_legacy IS NOT NULL OR totp_pending_secret_legacy IS NOT NULL
            """, []).rows[0].decode("n")
    }

    @Test func theStartUpPassSealsEveryClearSecretOnceAndLoginStillWorks() async throws {
        let secret = try TOTP.generateSecret()
        try await TestDatabase.with(migrated: false, poolSize: 2) { database in
            let ids = try await TOTPLegacyMigrationTests.legacyDatabase(database, secret: secret)
            #expect(try await TOTPLegacyMigrationTests.legacyCount(database.pool) == 2)
            let app = try RunningApp.start(environment: TOTPLegacyMigrationTests.environment(database))
            do {
                #expect(try await app.application.sealLegacySecrets() == 2)
                #expect(try await app.application.sealLegacySecrets() == 0)
                #expect(try await TOTPLegacyMigrationTests.legacyCount(database.pool) == 0)
                for id in [ids.active, ids.pending] {
                    try await TOTPSecretsAtRestTests.expectNoTrace(of: secret, in: database.pool, userID: id.uuidString)
                }
                let api = IdentityApp(app: app, database: database)
                let code = try TOTP.code(secret: secret, step: TOTP.step(at: Date()))
                _ = try await api.login("legacy@example.com", otp: code)
                let missing = try await api.call("POST", "/api/v1/auth/login",
                                                 body: #"{"email":"legacy@example.com","password":"correct horse battery"}"#)
                #expect(errorCode(missing) == "MFA_REQUIRED")
                // The pending secret survived sealing: confirming it turns TOTP on.
                let access = try await api.login("half@example.com").access
                #expect(try await api.call("POST", "/api/v1/auth/mfa/totp/confirm", body: #"{"code":"\#(code)"}"#,
                                           bearer: access).status == 204)
            } catch {
                await app.stop()
                throw error
            }
            await app.stop()
        }
    }

    @Test func aClearSecretIsSealedAtItsFirstUseWhenThePassHasNotRun() async throws {
        let secret = try TOTP.generateSecret()
        try await TestDatabase.with(migrated: false, poolSize: 2) { database in
            let ids = try await TOTPLegacyMigrationTests.legacyDatabase(database, secret: secret)
            try await withApp(environment: TOTPLegacyMigrationTests.environment(database)) { app in
                let api = IdentityApp(app: app, database: database)
                let me = try RunningApp.json(try await api.call("GET", "/api/v1/users/\(ids.active.uuidString.lowercased())",
                                                                bearer: try await api.admin().access))
                #expect(me["mfa_enabled"] as? Bool == true)
                let missing = try await api.call("POST", "/api/v1/auth/login",
                                                 body: #"{"email":"legacy@example.com","password":"correct horse battery"}"#)
                #expect(errorCode(missing) == "MFA_REQUIRED")
                _ = try await api.login("legacy@example.com", otp: try TOTP.code(secret: secret, step: TOTP.step(at: Date())))
                try await TOTPSecretsAtRestTests.expectNoTrace(of: secret, in: database.pool, userID: ids.active.uuidString)
                #expect(try await TOTPLegacyMigrationTests.legacyCount(database.pool) == 1)
            }
        }
    }

    @Test func theDownMigrationRefusesToDropSealedSecretsAndRestoresClearOnes() async throws {
        let secret = try TOTP.generateSecret()
        try await TestDatabase.with(migrated: false, poolSize: 2) { database in
            let ids = try await TOTPLegacyMigrationTests.legacyDatabase(database, secret: secret)
            let migrator = Migrator(pool: database.pool, directory: TestEnvironment.migrationsDirectory)
            let latest = try #require(try await migrator.status().last?.version)
            // Nothing sealed yet: down brings the clear columns back as they were.
            try await migrator.down(steps: latest - 6)
            let restored: [UInt8]? = try await database.pool.query("SELECT totp_secret FROM users WHERE id = $1", [ids.active])
                .rows[0].decode("totp_secret")
            #expect(restored == secret)
            try await migrator.up()
            var sealed = 0
            try await withApp(environment: TOTPLegacyMigrationTests.environment(database)) { app in
                sealed = try await app.application.sealLegacySecrets()
            }
            #expect(sealed == 2)
            await #expect(throws: (any Error).self) { try await migrator.down(steps: latest - 6) }
            let state: [UInt8]? = try await database.pool.query("SELECT totp_secret_sealed FROM users WHERE id = $1",
                                                                [ids.active]).rows[0].decode("totp_secret_sealed")
            #expect(state != nil)
        }
    }
}
