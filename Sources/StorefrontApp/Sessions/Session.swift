import Crypto
import Foundation

/// A new opaque refresh token and the SHA-256 that is all the database keeps of it. A
/// session is a family of such tokens, one per sign-in; refreshing replaces the token.
struct RefreshToken: Sendable {
    static let byteCount = 32
    let token: String
    let hash: [UInt8]

    init() throws {
        token = Base64URL.encode(try SecureRandom.bytes(RefreshToken.byteCount))
        hash = try SHA256.hash(token)
    }

    /// The lookup hash of a presented token, or nil when it cannot be one of ours (so a
    /// malformed token costs no query).
    static func hash(of presented: String) throws -> [UInt8]? {
        guard let raw = Base64URL.decode(presented), raw.count == byteCount else { return nil }
        return try SHA256.hash(presented)
    }
}

/// A stored refresh token as rotation sees it, locked for the rest of the transaction.
struct StoredRefreshToken: Sendable {
    let id: UUID
    let familyID: UUID
    let userID: UUID
    /// Already exchanged for a newer token: presenting it again means theft.
    let wasRotated: Bool
    let isExpired: Bool
    let familyWasRevoked: Bool
}

/// Why a family was revoked, kept for incident review.
enum RevocationReason: String, Sendable {
    case logout, reuseDetected = "reuse_detected", passwordChanged = "password_changed"
    case accountDisabled = "account_disabled", accountDeleted = "account_deleted"

    init(_ reason: AccessEndReason) {
        switch reason {
        case .passwordChanged: self = .passwordChanged
        case .accountDisabled: self = .accountDisabled
        case .accountDeleted: self = .accountDeleted
        }
    }
}

/// What sign-in and refresh hand out (API.md, Auth).
struct TokenPair: Sendable {
    let accessToken: String
    let expiresIn: Int
    let refreshToken: String
    let refreshExpiresIn: Int
}
