import Crypto
import Foundation

/// An API key as its owner sees it: never the key itself, except once in `APIKeySecret`.
struct APIKey: Sendable {
    let id: UUID
    let userID: UUID
    let name: String
    /// The visible start of the key (`sf_abcdefgh`), so a person can tell keys apart.
    let prefix: String
    let scopes: [Scope]
    let createdAt: Date
    let expiresAt: Date?
    let lastUsedAt: Date?
    /// Already replaced by a newer key; it works until `expiresAt` (the grace period).
    let wasRotated: Bool
    /// Past `expiresAt`, by the database's clock.
    let isExpired: Bool
}

/// The key a client sends as `X-API-Key`: `sf_` + 8 visible characters + `_` + 32 random
/// bytes in base64url. Only its SHA-256 is stored.
struct APIKeySecret: Sendable {
    static let visibleLength = 8
    static let secretBytes = 32
    /// `sf_` + 8 + `_` + 43 base64url characters.
    static let totalLength = 3 + visibleLength + 1 + 43

    let key: String
    let prefix: String
    let hash: [UInt8]

    init() throws {
        // 5 random bytes are exactly 8 base32 characters.
        prefix = "sf_" + Base32.encode(try SecureRandom.bytes(5)).lowercased()
        key = prefix + "_" + Base64URL.encode(try SecureRandom.bytes(APIKeySecret.secretBytes))
        hash = try SHA256.hash(key)
    }

    /// The lookup hash of a presented key, or nil when it cannot be one of ours.
    static func hash(of presented: String) throws -> [UInt8]? {
        let bytes = Array(presented.utf8)
        guard bytes.count == totalLength, presented.hasPrefix("sf_"), bytes[3 + visibleLength] == UInt8(ascii: "_"),
              let secret = Base64URL.decode(presented.dropFirst(3 + visibleLength + 1)), secret.count == secretBytes
        else { return nil }
        return try SHA256.hash(presented)
    }
}

/// The one sort order of GET /api-keys: oldest first.
enum APIKeySort: String, Sendable, CaseIterable {
    case createdAt = "created_at"
}
