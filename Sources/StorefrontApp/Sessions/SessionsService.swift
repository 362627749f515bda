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

    /// `client` (the caller's IP) is its queue in the password hashing pool.
    func login(email: String, password: String, otp: String?, client: String) async throws -> TokenPair {
        try await startSession(for: try await verifyLogin(email: email, password: password, otp: otp, client: client))
    }

    /// Sign-in's first step: the password (Users), then the one-time code when TOTP is on.
    func verifyLogin(email: String, password: String, otp: String?, client: String) async throws -> VerifiedSignIn {
        let signIn = try await users.authenticate(email: email, password: password, client: client)
        if signIn.user.mfaEnabled { try await totp.verifySignIn(userID: signIn.user.id, code: otp) }
        return signIn
    }

    /// Sign-in's second step: a new token family and its first pair, in a transaction that
    /// first confirms the credentials are still the ones verified (a password changed in
    /// between starts no session).
    func startSession(for signIn: VerifiedSignIn) async throws -> TokenPair {
        let user = signIn.user
        let refreshToken = try RefreshToken()
        try await database.transaction { tx in
            try await users.confirmStillValid(signIn, on: tx)
            let family = try await sessions.createFamily(userID: user.id, on: tx)
            try await sessions.insert(familyID: family, hash: refreshToken.hash, ttlSeconds: issuer.refreshTTL, on: tx)
        }
        return try issuer.pair(userID: user.id, role: user.role, refreshToken: refreshToken)
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

extension SessionsService {
    /// The periodic purge of ended sessions (API.md, Background jobs: after 30 days).
    @discardableResult
    func purgeEnded() async throws -> Int {
        try await database.autocommit { db in try await sessions.purgeEnded(olderThanDays: 30, on: db) }
    }
}

/// Every session of the user ends when the password changes or the account is disabled
/// or deleted. Stateless, so Users can be given it before Sessions is built.
extension SessionRepository: AccessRevoker {
    func revokeAccess(of userID: UUID, because reason: AccessEndReason, on tx: Transaction) async throws {
        try await revokeAll(userID: userID, reason: RevocationReason(reason), on: tx)
    }
}
