import Crypto
import Foundation
import Postgres

/// An API key as its owner sees it: never the key itself, except once in `NewAPIKey`.
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
    let rotated: Bool
    /// Not past `expiresAt`, by the database's clock.
    let live: Bool
    let createdKey: String

    static let columns: SQL = """
        id, user_id, name, prefix, scopes, created_at, expires_at, last_used_at, rotated_to IS NOT NULL AS rotated,
        (expires_at IS NULL OR expires_at > now()) AS live, created_at::text AS created_key
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        userID = try row.decode("user_id")
        name = try row.decode("name")
        prefix = try row.decode("prefix")
        scopes = try row.decode("scopes", as: [String].self).compactMap(Scope.init(rawValue:))
        createdAt = try row.decode("created_at")
        expiresAt = try row.decode("expires_at")
        lastUsedAt = try row.decode("last_used_at")
        rotated = try row.decode("rotated")
        live = try row.decode("live")
        createdKey = try row.decode("created_key")
    }

    /// API.md, API keys: `{id, name, prefix, scopes, created_at, expires_at, last_used_at}`
    /// plus `key` right after creation or rotation.
    func write(to json: inout JSONWriter, key: String? = nil) {
        json.beginObject()
        json.key("id"); json.string(id.uuidString.lowercased())
        json.key("name"); json.string(name)
        json.key("prefix"); json.string(prefix)
        json.key("scopes")
        json.beginArray()
        for scope in scopes { json.string(scope.rawValue) }
        json.endArray()
        json.key("created_at"); json.string(Timestamp.rfc3339(createdAt))
        json.key("expires_at"); json.optionalString(expiresAt.map(Timestamp.rfc3339))
        json.key("last_used_at"); json.optionalString(lastUsedAt.map(Timestamp.rfc3339))
        if let key { json.key("key"); json.string(key) }
        json.endObject()
    }
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

/// What the auth link learns from one lookup of a presented key.
struct AuthenticatedKey: Sendable {
    let id: UUID
    let userID: UUID
    let scopes: Set<Scope>
    let ownerRole: Role
    let ownerBlocked: Bool
    /// `last_used_at` is over a minute old (or unset): worth one write.
    let usageIsStale: Bool
}
