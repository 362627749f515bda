import Crypto
import Foundation

/// Turns presented credentials into a `Principal`: an access token (HS256 JWT, checked by
/// `JWTSigner`) or an API key. Either way the user row is read once, by primary key or
/// through the key's unique hash index, so a disabled or deleted account stops at once.
struct Authenticator: Sendable {
    let signer: JWTSigner
    let users: UserRepository
    let apiKeys: APIKeyRepository
    let usage: APIKeyUsageRecorder

    func principal(accessToken: String) async throws -> Principal {
        let claims: JWTClaims
        do {
            claims = try signer.verify(accessToken, now: Date())
        } catch .expired {
            throw IdentityError.tokenExpired
        } catch .internalFailure {
            throw JWTError.internalFailure
        } catch {
            throw IdentityError.unauthenticated
        }
        guard let userID = UUID(uuidString: claims.sub),
              let state = try await users.authState(id: userID), !state.disabled
        else { throw IdentityError.unauthenticated }
        // The role is read from the row, not the token: a demotion takes effect at once.
        return Principal(userID: userID, role: state.role, credential: .accessToken)
    }

    func principal(apiKey: String) async throws -> Principal {
        guard let hash = try APIKeySecret.hash(of: apiKey),
              let key = try await apiKeys.authenticate(hash: hash), !key.ownerBlocked
        else { throw IdentityError.unauthenticated }
        if key.usageIsStale { await usage.record(keyID: key.id) }
        // A key never does more than its owner's role allows now: scopes granted before a
        // demotion are dormant, not revoked (they return with the role).
        let scopes = key.scopes.intersection(Scope.grantable(to: key.ownerRole))
        return Principal(userID: key.userID, role: key.ownerRole, credential: .apiKey(id: key.id, scopes: scopes))
    }
}
