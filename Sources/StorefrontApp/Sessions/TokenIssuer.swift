import Crypto
import Foundation

/// Signs and verifies access tokens: HS256 with the configured secret, issuer and audience,
/// claims iss, aud, sub (user id), role, iat, exp, jti (API.md, Authentication and roles).
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

    func accessToken(userID: UUID, role: Role, now: Date = Date()) throws -> String {
        let issuedAt = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let claims = JWTClaims(iss: signer.issuer, aud: .single(signer.audience), sub: userID.uuidString.lowercased(),
                               role: role.rawValue, iat: issuedAt,
                               exp: issuedAt.addingTimeInterval(TimeInterval(accessTTL)),
                               jti: UUID().uuidString.lowercased())
        return try signer.sign(claims)
    }

    func pair(userID: UUID, role: Role, refreshToken: RefreshToken) throws -> TokenPair {
        TokenPair(accessToken: try accessToken(userID: userID, role: role), expiresIn: accessTTL,
                  refreshToken: refreshToken.token, refreshExpiresIn: refreshTTL)
    }

    /// The user a well-signed, current token was issued to. Its role claim is not trusted:
    /// the caller reads the role from the user row, so a demotion takes effect at once.
    func userID(verifying token: String) throws -> UUID {
        let claims: JWTClaims
        do {
            claims = try signer.verify(token, now: Date())
        } catch .expired {
            throw AccessError.tokenExpired
        } catch .internalFailure {
            throw JWTError.internalFailure
        } catch {
            throw AccessError.unauthenticated
        }
        guard let id = UUID(uuidString: claims.sub) else { throw AccessError.unauthenticated }
        return id
    }
}
