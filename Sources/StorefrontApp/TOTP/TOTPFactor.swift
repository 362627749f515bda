/// A user's TOTP second factor as stored (RFC 6238, SHA-1, 6 digits, 30 s). Named for
/// what it is rather than `TOTP`, which is Crypto's algorithm.
struct TOTPFactor: Sendable {
    /// The confirmed secret; nil while TOTP is off.
    let secret: [UInt8]?
    /// The last time step a code was accepted for: a code is never accepted twice.
    let lastStep: Int64?
    /// A secret handed out by enrolment and not yet confirmed with a first code.
    let pendingSecret: [UInt8]?
}

/// What enrolment hands the user, once.
struct TOTPEnrollment: Sendable {
    let secret: String
    let otpauthURI: String
}
