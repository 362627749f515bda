import Foundation

/// A user's TOTP second factor as stored (RFC 6238, SHA-1, 6 digits, 30 s). Named for
/// what it is rather than `TOTP`, which is Crypto's algorithm. Secrets stay sealed here
/// (`TOTPSecretSealer` opens them); the model never holds the plaintext.
struct TOTPFactor: Sendable {
    /// The confirmed secret, sealed; nil while TOTP is off.
    let sealedSecret: [UInt8]?
    /// The last time step a code was accepted for: a code is never accepted twice.
    let lastStep: Int64?
    /// A secret handed out by enrolment and not yet confirmed with a first code, sealed.
    let sealedPendingSecret: [UInt8]?
    /// A secret from before migration 0010 is still stored in the clear: it must be sealed
    /// before the factor is used.
    let hasLegacySecret: Bool
}

/// A secret stored in the clear before migration 0010, waiting to be sealed.
struct LegacyTOTPSecrets: Sendable {
    let userID: UUID
    let secret: [UInt8]?
    let pendingSecret: [UInt8]?
}

/// What enrolment hands the user, once.
struct TOTPEnrollment: Sendable {
    let secret: String
    let otpauthURI: String
}
