import Crypto
import Foundation

/// TOTP second factor (RFC 6238, SHA-1, 6 digits, 30 s): enrol, confirm with a first code,
/// disable with a current code, check at sign-in. Every accepted code's step is stored,
/// so none is reused.
struct TOTPService: Sendable {
    /// Shown by authenticator apps next to the account name.
    static let issuer = "Storefront"
    let database: Database
    let factors: TOTPRepository
    let users: UsersService

    /// A fresh pending secret; TOTP is not required until it is confirmed.
    func begin(for principal: Principal) async throws -> TOTPEnrollment {
        let user = try await users.user(principal.userID, visibleTo: principal)
        guard !user.mfaEnabled else { throw TOTPError.alreadyEnabled }
        let secret = try TOTP.generateSecret()
        try await database.autocommit { db in try await factors.setPendingSecret(userID: user.id, secret: secret, on: db) }
        return TOTPEnrollment(secret: Base32.encode(secret),
                              otpauthURI: TOTP.otpauthURI(secret: secret, account: user.email, issuer: TOTPService.issuer))
    }

    func confirm(for principal: Principal, code: String) async throws {
        try await database.autocommit { db in
            guard let pending = try await factors.find(userID: principal.userID, on: db)?.pendingSecret else {
                throw TOTPError.notPending
            }
            guard let step = try TOTP.verify(code: code, secret: pending, time: Date(), lastUsedStep: nil) else {
                throw TOTPError.wrongCode
            }
            guard try await factors.confirm(userID: principal.userID, secret: pending, step: step, on: db) else {
                throw TOTPError.notPending
            }
        }
    }

    func disable(for principal: Principal, code: String) async throws {
        try await database.autocommit { db in
            guard let factor = try await factors.find(userID: principal.userID, on: db) else { throw TOTPError.notFound }
            guard factor.secret != nil else { throw TOTPError.notEnabled }
            guard try await claim(code, factor, userID: principal.userID, on: db) else { throw TOTPError.wrongCode }
            try await factors.disable(userID: principal.userID, on: db)
        }
    }

    /// At sign-in, after the password: a current, unused code when TOTP is on.
    func verifySignIn(userID: UUID, code: String?) async throws {
        try await database.autocommit { db in
            guard let factor = try await factors.find(userID: userID, on: db), factor.secret != nil else { return }
            guard let code, try await claim(code, factor, userID: userID, on: db) else { throw TOTPError.codeRequired }
        }
    }

    /// The code is current for the active secret and its step is later than any used.
    private func claim(_ code: String, _ factor: TOTPFactor, userID: UUID, on db: any DatabaseSession) async throws -> Bool {
        guard let secret = factor.secret,
              let step = try TOTP.verify(code: code, secret: secret, time: Date(), lastUsedStep: factor.lastStep)
        else { return false }
        return try await factors.claimStep(userID: userID, step: step, on: db)
    }
}
