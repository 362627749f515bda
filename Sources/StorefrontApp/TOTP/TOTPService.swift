import Crypto
import Foundation

/// TOTP second factor (RFC 6238, SHA-1, 6 digits, 30 s): enrol, confirm with a first code,
/// disable with a current code. Every accepted code's step is stored, so none is reused.
struct TOTPService: Sendable {
    /// Shown by authenticator apps next to the account name.
    static let issuer = "Storefront"
    let users: UserRepository

    struct Enrollment: Sendable {
        let secret: String
        let otpauthURI: String
    }

    /// A fresh pending secret; TOTP is not required until it is confirmed.
    func begin(for principal: Principal) async throws -> Enrollment {
        guard let account = try await users.credentials(id: principal.userID) else { throw IdentityError.notFound }
        guard account.totpSecret == nil else { throw IdentityError.totpAlreadyEnabled }
        let secret = try TOTP.generateSecret()
        try await users.setPendingTOTPSecret(id: principal.userID, secret: secret)
        return Enrollment(secret: Base32.encode(secret),
                          otpauthURI: TOTP.otpauthURI(secret: secret, account: account.user.email, issuer: TOTPService.issuer))
    }

    func confirm(for principal: Principal, code: String) async throws {
        guard let pending = try await users.pendingTOTPSecret(id: principal.userID) else {
            throw IdentityError.totpNotPending
        }
        guard let step = try TOTP.verify(code: code, secret: pending, time: Date(), lastUsedStep: nil) else {
            throw IdentityError.wrongTOTPCode
        }
        guard try await users.confirmTOTP(id: principal.userID, secret: pending, step: step) else {
            throw IdentityError.totpNotPending
        }
    }

    func disable(for principal: Principal, code: String) async throws {
        guard let account = try await users.credentials(id: principal.userID) else { throw IdentityError.notFound }
        guard let secret = account.totpSecret else { throw IdentityError.totpNotEnabled }
        guard let step = try TOTP.verify(code: code, secret: secret, time: Date(), lastUsedStep: account.totpLastStep),
              try await users.claimTOTPStep(id: principal.userID, step: step)
        else { throw IdentityError.wrongTOTPCode }
        try await users.disableTOTP(id: principal.userID)
    }
}
