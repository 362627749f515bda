import Crypto
import Foundation
import Postgres
import Testing
import TestSupport
@testable import StorefrontApp

/// ADR 0006: TOTP secrets are sealed for their owner with DATA_ENCRYPTION_KEY; a dump of
/// the database shows none; a secret that does not open is a clean MFA_REQUIRED, logged
/// without the secret; secrets from before migration 0010 are sealed and cleared.
@Suite struct TOTPSecretsAtRestTests {
    static let keyA = Data(repeating: 0xA1, count: 32).base64EncodedString()
    static let keyB = Data(repeating: 0xB2, count: 32).base64EncodedString()
    static let password = "correct horse battery"

    /// Every way the secret could show up in `users` as text: raw, hex (bytea output), base32.
    static func expectNoTrace(of secret: [UInt8], in db: PostgresPool, userID: String) async throws {
        let rows = try await db.query("SELECT users::text AS dump FROM users WHERE id = $1::uuid", [userID]).rows
        let dump: String = try rows[0].decode("dump")
        #expect(!dump.contains(secret.hexString))
        #expect(!dump.contains(Base32.encode(secret)))
        let sealed = try await db.query("SELECT totp_secret_sealed, totp_pending_secret_sealed FROM users WHERE id = $1::uuid",
                                        [userID]).rows[0]
        for column in ["totp_secret_sealed", "totp_pending_secret_sealed"] {
            let bytes: [UInt8]? = try sealed.decode(column)
            if let bytes { #expect(!bytes.contains(subsequence: secret), "\(column)") }
        }
    }

    static func loginBody(_ email: String, otp: String) -> String {
        #"{"email":"\#(email)","password":"\#(password)","otp":"\#(otp)"}"#
    }

    @Test func enrolmentAndConfirmationStoreOnlySealedSecrets() async throws {
        try await withIdentityApp(environment: ["DATA_ENCRYPTION_KEY": TOTPSecretsAtRestTests.keyA]) { api in
            let (id, access) = try await api.customer("pending@example.com")
            let begin = try RunningApp.json(try await api.call("POST", "/api/v1/auth/mfa/totp", bearer: access))
            let pendingText = try #require(begin["secret"] as? String)
            let pending = try #require(Base32.decode(pendingText))
            try await TOTPSecretsAtRestTests.expectNoTrace(of: pending, in: api.db, userID: id)

            let (secret, _, _) = try await TOTPTests.enrol(api, "sealed@example.com")
            let sealedID = try #require(try await api.db.query("SELECT id FROM users WHERE email = 'sealed@example.com'", [])
                .rows.first.map { try $0.decode("id", as: UUID.self) })
            try await TOTPSecretsAtRestTests.expectNoTrace(of: secret, in: api.db, userID: sealedID.uuidString)
            let row = try await api.db.query(
                "SELECT totp_secret_sealed, totp_secret_legacy, totp_pending_secret_legacy FROM users WHERE id = $1", [sealedID]
            ).rows[0]
            let blob: [UInt8] = try row.decode("totp_secret_sealed")
            #expect(blob.count == SecretBox.overhead + secret.count)
            #expect(SecretBox.keyID(of: blob) == 1)
            #expect(try row.decode("totp_secret_legacy", as: [UInt8]?.self) == nil)
        }
    }

    @Test func aSealedSecretCopiedToAnotherAccountFailsCleanlyAndIsLoggedWithoutTheSecret() async throws {
        try await withIdentityApp(environment: ["DATA_ENCRYPTION_KEY": TOTPSecretsAtRestTests.keyA]) { api in
            let (secret, _, step) = try await TOTPTests.enrol(api, "victim@example.com")
            let thief = try await api.register("thief@example.com")
            _ = try await api.db.query("""
                UPDATE users SET totp_secret_sealed = (SELECT totp_secret_sealed FROM users WHERE email = 'victim@example.com')
                WHERE id = $1::uuid
                """, [thief])
            let response = try await api.call("POST", "/api/v1/auth/login",
                                              body: TOTPSecretsAtRestTests.loginBody("thief@example.com",
                                                                                     otp: try TOTP.code(secret: secret, step: step + 1)))
            #expect(response.status == 401)
            #expect(errorCode(response) == "MFA_REQUIRED")
            let logs = api.logs.all.joined(separator: "\n")
            #expect(logs.contains("TOTP secret does not open"))
            #expect(logs.contains(thief))
            #expect(!logs.contains(secret.hexString) && !logs.contains(Base32.encode(secret)))
            // The victim's own secret still works in its own row.
            _ = try await api.login("victim@example.com", otp: try TOTP.code(secret: secret, step: step + 1))
        }
    }

    @Test func aDifferentKeyAtStartUpFailsVerificationCleanly() async throws {
        try await TestDatabase.with(poolSize: 2) { database in
            let env = ["DATABASE_URL": database.conninfo, "JWT_SECRET": testJWTSecret, "APP_ENV": "test", "DB_POOL_SIZE": "2"]
            let first = try RunningApp.start(environment: env.merging(["DATA_ENCRYPTION_KEY": TOTPSecretsAtRestTests.keyA]) { $1 })
            let enrolled: (secret: [UInt8], access: String, step: Int64)
            do {
                enrolled = try await TOTPTests.enrol(IdentityApp(app: first, database: database), "rotated@example.com")
            } catch {
                await first.stop()
                throw error
            }
            await first.stop()
            let second = try RunningApp.start(environment: env.merging(["DATA_ENCRYPTION_KEY": TOTPSecretsAtRestTests.keyB]) { $1 })
            let api = IdentityApp(app: second, database: database)
            let code = try TOTP.code(secret: enrolled.secret, step: enrolled.step + 1)
            let response = try await api.call("POST", "/api/v1/auth/login",
                                              body: TOTPSecretsAtRestTests.loginBody("rotated@example.com", otp: code))
            let disable = try await api.call("DELETE", "/api/v1/auth/mfa/totp", body: #"{"code":"\#(code)"}"#,
                                             bearer: enrolled.access)
            let logs = second.logs.all.joined(separator: "\n")
            await second.stop()
            #expect(response.status == 401)
            #expect(errorCode(response) == "MFA_REQUIRED")
            #expect(disable.status == 422)
            #expect(logs.contains("TOTP secret does not open"))
            #expect(logs.contains("failed authentication"))
            #expect(!logs.contains(enrolled.secret.hexString) && !logs.contains(Base32.encode(enrolled.secret)))
            #expect(!logs.contains(TOTPSecretsAtRestTests.keyA) && !logs.contains(TOTPSecretsAtRestTests.keyB))
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty, subsequence.count <= count else { return subsequence.isEmpty }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
