import Crypto
import Foundation

/// Sign-in, refresh-token rotation and logout (API.md, Auth), and the verification of the
/// access tokens it hands out. Passwords are the Users domain's, second factors TOTP's.
struct SessionsService: Sendable {
    let database: Database
    let sessions: SessionRepository
    let users: UsersService
    let totp: TOTPService
    let issuer: TokenIssuer
    let logger: Logger

    func login(email: String, password: String, otp: String?) async throws -> TokenPair {
        let user = try await users.authenticate(email: email, password: password)
        if user.mfaEnabled { try await totp.verifySignIn(userID: user.id, code: otp) }
        return try await startSession(userID: user.id, role: user.role)
    }

    /// A new token family and its first pair.
    func startSession(userID: UUID, role: Role) async throws -> TokenPair {
        let refreshToken = try RefreshToken()
        try await database.transaction { tx in
            let family = try await sessions.createFamily(userID: userID, on: tx)
            try await sessions.insert(familyID: family, hash: refreshToken.hash, ttlSeconds: issuer.refreshTTL, on: tx)
        }
        return try issuer.pair(userID: userID, role: role, refreshToken: refreshToken)
    }

    private enum Rotation: Sendable {
        case rotated(userID: UUID, role: Role)
        case invalid
        case reused(userID: UUID, familyID: UUID)
    }

    /// Exchanges a refresh token for a new pair. A token that was already exchanged means
    /// someone else holds a copy: its whole family is revoked (and the revocation commits
    /// before the 401 is sent).
    func refresh(token presented: String) async throws -> TokenPair {
        guard let hash = try RefreshToken.hash(of: presented) else { throw SessionError.refreshTokenInvalid }
        let next = try RefreshToken()
        let outcome: Rotation = try await database.transaction { tx in
            guard let stored = try await sessions.lockForRotation(hash: hash, on: tx),
                  !stored.familyWasRevoked, !stored.isExpired else { return .invalid }
            if stored.wasRotated {
                try await sessions.revokeFamily(id: stored.familyID, reason: .reuseDetected, on: tx)
                return .reused(userID: stored.userID, familyID: stored.familyID)
            }
            guard let role = try await users.activeRole(stored.userID, on: tx) else { return .invalid }
            try await sessions.markRotated(id: stored.id, on: tx)
            try await sessions.insert(familyID: stored.familyID, hash: next.hash, ttlSeconds: issuer.refreshTTL, on: tx)
            return .rotated(userID: stored.userID, role: role)
        }
        switch outcome {
        case .rotated(let userID, let role):
            return try issuer.pair(userID: userID, role: role, refreshToken: next)
        case .invalid:
            throw SessionError.refreshTokenInvalid
        case .reused(let userID, let familyID):
            logger.warning("refresh token reuse detected; token family revoked",
                           ["user_id": .string(userID.uuidString.lowercased()),
                            "family_id": .string(familyID.uuidString.lowercased())])
            throw SessionError.refreshTokenInvalid
        }
    }

    /// Ends the session the token belongs to. Unknown tokens are not an error: logging out
    /// twice, or with a stale token, still leaves the client logged out.
    func logout(token presented: String) async throws {
        guard let hash = try RefreshToken.hash(of: presented) else { return }
        try await database.autocommit { db in try await sessions.revokeFamily(ofTokenHash: hash, reason: .logout, on: db) }
    }
}

extension SessionsService: AccessTokenVerifier {
    /// The signature and claims are checked first; then the user row is read once, by
    /// primary key, so a disabled or deleted account stops at once and the role is current.
    func principal(accessToken: String) async throws -> Principal {
        let userID = try issuer.userID(verifying: accessToken)
        guard let role = try await users.activeRole(userID) else { throw AccessError.unauthenticated }
        return Principal(userID: userID, role: role, credential: .accessToken)
    }
}

/// Every session of the user ends when the password changes or the account is disabled
/// or deleted. Stateless, so Users can be given it before Sessions is built.
extension SessionRepository: AccessRevoker {
    func revokeAccess(of userID: UUID, because reason: AccessEndReason, on tx: Transaction) async throws {
        try await revokeAll(userID: userID, reason: RevocationReason(reason), on: tx)
    }
}
