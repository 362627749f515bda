import Crypto
import Foundation
import Postgres

/// Registration, login, refresh-token rotation and logout: the rules of API.md, Auth.
struct AuthService: Sendable {
    let pool: PostgresPool
    let users: UserRepository
    let refreshTokens: RefreshTokenRepository
    let passwords: PasswordService
    let issuer: TokenIssuer
    let logger: Logger

    func register(email: Email, password: Password, name: PersonName, client: String) async throws -> User {
        let hash = try await passwords.hash(password.value, client: client)
        return try await users.insert(email: email, name: name, passwordHash: hash, role: .customer, on: pool)
    }

    /// Unknown email and wrong password answer alike and cost one scrypt evaluation each,
    /// queued the same way for `client` in the hashing pool, so neither the answer (401, or
    /// 503 when that client's share of the pool is full), nor its timing tells whether an
    /// account exists.
    func login(email: String, password: String, otp: String?, client: String) async throws -> TokenPair {
        try await startSession(for: try await verifyLogin(email: email, password: password, otp: otp, client: client))
    }

    /// Login's first step: the credentials as they were when the password verified.
    func verifyLogin(email: String, password: String, otp: String?, client: String) async throws -> UserCredentials {
        guard let account = try await users.credentials(email: email) else {
            try await passwords.spendVerifyTime(password, client: client)
            throw IdentityError.invalidCredentials
        }
        guard try await passwords.verify(password, against: account.passwordHash, client: client) else {
            throw IdentityError.invalidCredentials
        }
        // Only after the password: a disabled account is not revealed to someone guessing.
        guard !account.user.disabled else { throw IdentityError.accountDisabled }
        if let secret = account.totpSecret {
            guard let otp, let step = try TOTP.verify(code: otp, secret: secret, time: Date(),
                                                      lastUsedStep: account.totpLastStep),
                  try await users.claimTOTPStep(id: account.user.id, step: step)
            else { throw IdentityError.mfaRequired }
        }
        await passwords.upgradeIfOutdated(userID: account.user.id, password: password, stored: account.passwordHash,
                                          client: client)
        return account
    }

    /// Login's second step: a new token family for the verified account and its first pair.
    /// The account row is re-read under a lock in the same transaction: if the password
    /// changed (or the account was disabled or deleted) since it was verified, no session
    /// starts; a change that comes later waits for this commit, then revokes the session.
    func startSession(for account: UserCredentials) async throws -> TokenPair {
        let user = account.user
        let refreshToken = try NewRefreshToken()
        try await pool.withTransaction { connection in
            guard try await users.lockForSession(id: user.id, credentialsVersion: account.credentialsVersion,
                                                 on: connection)
            else { throw IdentityError.invalidCredentials }
            let family = try await refreshTokens.createFamily(userID: user.id, on: connection)
            try await refreshTokens.insert(familyID: family, hash: refreshToken.hash, ttlSeconds: issuer.refreshTTL,
                                           on: connection)
        }
        return try issuer.pair(for: user, refreshToken: refreshToken)
    }

    private enum Rotation: Sendable {
        case rotated(User)
        case invalid
        case reused(userID: UUID, familyID: UUID)
    }

    /// Exchanges a refresh token for a new pair. A token that was already exchanged means
    /// someone else holds a copy: its whole family is revoked (and the revocation commits
    /// before the 401 is sent).
    func refresh(token presented: String) async throws -> TokenPair {
        guard let hash = try NewRefreshToken.hash(of: presented) else { throw IdentityError.refreshTokenInvalid }
        let next = try NewRefreshToken()
        let outcome: Rotation = try await pool.withTransaction { connection in
            guard let stored = try await refreshTokens.lockForRotation(hash: hash, on: connection),
                  !stored.familyRevoked, !stored.isExpired else { return .invalid }
            if stored.wasRotated {
                try await refreshTokens.revokeFamily(id: stored.familyID, reason: .reuseDetected, on: connection)
                return .reused(userID: stored.userID, familyID: stored.familyID)
            }
            guard let user = try await users.find(id: stored.userID, on: connection), !user.disabled else {
                return .invalid
            }
            try await refreshTokens.markRotated(id: stored.id, on: connection)
            try await refreshTokens.insert(familyID: stored.familyID, hash: next.hash, ttlSeconds: issuer.refreshTTL,
                                           on: connection)
            return .rotated(user)
        }
        switch outcome {
        case .rotated(let user):
            return try issuer.pair(for: user, refreshToken: next)
        case .invalid:
            throw IdentityError.refreshTokenInvalid
        case .reused(let userID, let familyID):
            logger.warning("refresh token reuse detected; token family revoked",
                           ["user_id": .string(userID.uuidString.lowercased()),
                            "family_id": .string(familyID.uuidString.lowercased())])
            throw IdentityError.refreshTokenInvalid
        }
    }

    /// Ends the session the token belongs to. Unknown tokens are not an error: logging out
    /// twice, or with a stale token, still leaves the client logged out.
    func logout(token presented: String) async throws {
        guard let hash = try NewRefreshToken.hash(of: presented) else { return }
        try await refreshTokens.revokeFamily(ofTokenHash: hash, reason: .logout)
    }
}
