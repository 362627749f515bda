import Crypto
import Foundation

/// What login and refresh hand out (API.md, Auth).
struct TokenPair: Sendable {
    let accessToken: String
    let expiresIn: Int
    let refreshToken: String
    let refreshExpiresIn: Int

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("access_token"); json.string(accessToken)
        json.key("token_type"); json.string("Bearer")
        json.key("expires_in"); json.integer(expiresIn)
        json.key("refresh_token"); json.string(refreshToken)
        json.key("refresh_expires_in"); json.integer(refreshExpiresIn)
        json.endObject()
    }
}

/// A new opaque refresh token and the SHA-256 that is all the database keeps of it.
struct NewRefreshToken: Sendable {
    static let byteCount = 32
    let token: String
    let hash: [UInt8]

    init() throws {
        token = Base64URL.encode(try SecureRandom.bytes(NewRefreshToken.byteCount))
        hash = try SHA256.hash(token)
    }

    /// The lookup hash of a presented token, or nil when it cannot be one of ours (so a
    /// malformed token costs no query).
    static func hash(of presented: String) throws -> [UInt8]? {
        guard let raw = Base64URL.decode(presented), raw.count == byteCount else { return nil }
        return try SHA256.hash(presented)
    }
}

/// Signs access tokens: HS256 with the configured secret, issuer and audience, claims
/// iss, aud, sub (user id), role, iat, exp, jti (API.md, Authentication and roles).
struct TokenIssuer: Sendable {
    let signer: JWTSigner
    let accessTTL: Int
    let refreshTTL: Int

    init(configuration: AppConfiguration) throws {
        signer = try JWTSigner(secret: Array(configuration.jwtSecret.value.utf8), issuer: configuration.jwtIssuer,
                               audience: configuration.jwtAudience, leeway: JWTSigner.maximumLeeway)
        accessTTL = configuration.accessTokenTTL
        refreshTTL = configuration.refreshTokenTTL
    }

    func accessToken(for user: User, now: Date = Date()) throws -> String {
        let issuedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let claims = JWTClaims(iss: signer.issuer, aud: .single(signer.audience), sub: user.id.uuidString.lowercased(),
                               role: user.role.rawValue, iat: issuedAt,
                               exp: issuedAt.addingTimeInterval(TimeInterval(accessTTL)),
                               jti: UUID().uuidString.lowercased())
        return try signer.sign(claims)
    }

    func pair(for user: User, refreshToken: NewRefreshToken) throws -> TokenPair {
        TokenPair(accessToken: try accessToken(for: user), expiresIn: accessTTL,
                  refreshToken: refreshToken.token, refreshExpiresIn: refreshTTL)
    }
}
