import Crypto
import Foundation

/// TOTP second factor (RFC 6238, SHA-1, 6 digits, 30 s): enrol, confirm with a first code,
/// disable with a current code, check at sign-in. Every accepted code's step is stored,
/// so none is reused. Secrets are sealed for their owner before they reach the database
/// (ADR 0006); one that does not open (wrong key, copied from another row) fails the
/// check like a wrong code and is logged, without the secret.
struct TOTPService: Sendable {
    /// Shown by authenticator apps next to the account name.
    static let issuer = "Storefront"
    /// Rows sealed per transaction by the legacy pass.
    static let sealBatch = 100
    let database: Database
    let factors: TOTPRepository
    let users: UsersService
    let sealer: TOTPSecretSealer
    let logger: Logger

    /// A fresh pending secret; TOTP is not required until it is confirmed.
    func begin(for principal: Principal) async throws -> TOTPEnrollment {
        let user = try await users.user(principal.userID, visibleTo: principal)
        guard !user.mfaEnabled else { throw TOTPError.alreadyEnabled }
        let secret = try TOTP.generateSecret()
        let sealed = try sealer.seal(secret, for: user.id)
        try await database.autocommit { db in try await factors.setPendingSecret(userID: user.id, sealed: sealed, on: db) }
        return TOTPEnrollment(secret: Base32.encode(secret),
                              otpauthURI: TOTP.otpauthURI(secret: secret, account: user.email, issuer: TOTPService.issuer))
    }

    func confirm(for principal: Principal, code: String) async throws {
        let userID = principal.userID
        guard let sealed = try await factor(of: userID)?.sealedPendingSecret,
              let pending = open(sealed, for: userID, purpose: "pending")
        else { throw TOTPError.notPending }
        guard let step = try TOTP.verify(code: code, secret: pending, time: Date(), lastUsedStep: nil) else {
            throw TOTPError.wrongCode
        }
        try await database.autocommit { db in
            guard try await factors.confirm(userID: userID, sealedPending: sealed, step: step, on: db) else {
                throw TOTPError.notPending
            }
        }
    }

    func disable(for principal: Principal, code: String) async throws {
        let userID = principal.userID
        guard let factor = try await factor(of: userID) else { throw TOTPError.notFound }
        guard factor.sealedSecret != nil else { throw TOTPError.notEnabled }
        guard try await claim(code, factor, userID: userID) else { throw TOTPError.wrongCode }
        try await database.autocommit { db in try await factors.disable(userID: userID, on: db) }
    }

    /// At sign-in, after the password: a current, unused code when TOTP is on.
    func verifySignIn(userID: UUID, code: String?) async throws {
        // A clear secret still there (it cannot be, after `factor(of:)`) demands a code too:
        // TOTP is off only when no secret of either kind is stored.
        guard let factor = try await factor(of: userID), factor.sealedSecret != nil || factor.hasLegacySecret else { return }
        guard let code, try await claim(code, factor, userID: userID) else { throw TOTPError.codeRequired }
    }

    /// Seals every secret still stored in the clear (migration 0010); returns how many rows
    /// it sealed. Safe to run on several instances at once.
    @discardableResult
    func sealLegacySecrets() async throws -> Int {
        guard try await database.autocommit({ db in try await factors.hasLegacyColumns(on: db) }) else { return 0 }
        var total = 0
        while true {
            let sealed = try await database.transaction { tx in
                let rows = try await factors.lockLegacy(limit: TOTPService.sealBatch, on: tx)
                for row in rows { try await seal(row, on: tx) }
                return rows.count
            }
            total += sealed
            if sealed < TOTPService.sealBatch { return total }
        }
    }

    private func seal(_ legacy: LegacyTOTPSecrets, on tx: Transaction) async throws {
        try await factors.replaceLegacy(userID: legacy.userID,
                                        sealedSecret: try legacy.secret.map { try sealer.seal($0, for: legacy.userID) },
                                        sealedPending: try legacy.pendingSecret.map { try sealer.seal($0, for: legacy.userID) },
                                        on: tx)
    }

    /// The stored factor, with a secret left in the clear sealed first, so nothing below
    /// ever reads a clear secret.
    private func factor(of userID: UUID) async throws -> TOTPFactor? {
        let factor = try await database.autocommit { db in try await factors.find(userID: userID, on: db) }
        guard let factor, factor.hasLegacySecret else { return factor }
        try await database.transaction { tx in
            if let legacy = try await factors.lockLegacy(userID: userID, on: tx) { try await seal(legacy, on: tx) }
        }
        return try await database.autocommit { db in try await factors.find(userID: userID, on: db) }
    }

    /// The code is current for the active secret and its step is later than any used.
    private func claim(_ code: String, _ factor: TOTPFactor, userID: UUID) async throws -> Bool {
        guard let sealed = factor.sealedSecret, let secret = open(sealed, for: userID, purpose: "active"),
              let step = try TOTP.verify(code: code, secret: secret, time: Date(), lastUsedStep: factor.lastStep)
        else { return false }
        return try await database.autocommit { db in try await factors.claimStep(userID: userID, step: step, on: db) }
    }

    /// Nil, and an error line naming the user and the reason (never the bytes), when the
    /// secret does not open: the server holds the wrong key or the row was tampered with.
    private func open(_ sealed: [UInt8], for userID: UUID, purpose: String) -> [UInt8]? {
        do {
            return try sealer.open(sealed, for: userID)
        } catch {
            logger.error("TOTP secret does not open", ["user_id": .string(userID.uuidString.lowercased()),
                                                       "which": .string(purpose), "reason": .string(error.description)])
            return nil
        }
    }
}
