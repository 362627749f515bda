import Foundation

/// The rules of API.md, API keys: scopes within the owner's role, one-time display of the
/// key, owner-only rotation with a grace period, revocation by the owner or an admin, and
/// the lookup that turns a presented key into its caller.
struct APIKeysService: Sendable {
    let database: Database
    let keys: APIKeyRepository
    let usage: APIKeyUsageRecorder
    let rotationGraceSeconds: Int

    func create(for principal: Principal, name: String, scopes: [Scope],
                expiresAt: Date?) async throws -> (APIKey, APIKeySecret) {
        guard Set(scopes).isSubset(of: Scope.grantable(to: principal.role)) else { throw AccessError.forbidden }
        let secret = try APIKeySecret()
        let key = try await database.autocommit { db in
            try await keys.insert(userID: principal.userID, name: name, secret: secret, scopes: scopes,
                                  expiresAt: expiresAt, on: db)
        }
        return (key, secret)
    }

    func list(for principal: Principal, after: KeysetCursor?, limit: Int) async throws -> [Keyed<APIKey>] {
        try await database.autocommit { db in
            try await keys.list(userID: principal.userID, after: after, limit: limit, on: db)
        }
    }

    /// Another user's key is 404 to everyone but an admin.
    func revoke(_ id: UUID, by principal: Principal) async throws {
        try await database.autocommit { db in
            guard let key = try await keys.find(id: id, on: db), key.userID == principal.userID || principal.isAdmin,
                  try await keys.revoke(id: id, on: db)
            else { throw APIKeyError.notFound }
        }
    }

    /// A new key with the same name, scopes and expiry; the old one keeps working for the
    /// grace period so clients can be redeployed without an outage.
    func rotate(_ id: UUID, by principal: Principal) async throws -> (APIKey, APIKeySecret) {
        let secret = try APIKeySecret()
        let grace = rotationGraceSeconds
        return try await database.transaction { tx in
            guard let old = try await keys.lock(id: id, on: tx), old.userID == principal.userID, !old.isExpired
            else { throw APIKeyError.notFound }
            guard !old.wasRotated else { throw APIKeyError.alreadyRotated }
            // The same rule as creation, against the role the owner has now: a demoted
            // admin's products:write key does not rotate into a fresh products:write key.
            guard Set(old.scopes).isSubset(of: Scope.grantable(to: principal.role)) else {
                throw AccessError.forbidden
            }
            let new = try await keys.insert(userID: old.userID, name: old.name, secret: secret, scopes: old.scopes,
                                            expiresAt: old.expiresAt, on: tx)
            try await keys.markRotated(id: old.id, successor: new.id, graceSeconds: grace, on: tx)
            return (new, secret)
        }
    }
}

extension APIKeysService: APIKeyVerifier {
    /// One indexed lookup through the key's unique hash, joined to the owner's row, so a
    /// disabled or deleted account stops at once.
    func principal(apiKey: String) async throws -> Principal {
        guard let hash = try APIKeySecret.hash(of: apiKey),
              let key = try await database.autocommit({ db in
                  try await keys.authenticate(hash: hash, staleAfterSeconds: APIKeyUsageRecorder.intervalSeconds, on: db)
              }),
              !key.ownerBlocked
        else { throw AccessError.unauthenticated }
        if key.usageIsStale { await usage.record(keyID: key.id) }
        // A key never does more than its owner's role allows now: scopes granted before a
        // demotion are dormant, not revoked (they return with the role).
        let scopes = key.scopes.intersection(Scope.grantable(to: key.ownerRole))
        return Principal(userID: key.userID, role: key.ownerRole, credential: .apiKey(id: key.id, scopes: scopes))
    }
}

extension APIKeysService {
    /// The periodic purge of ended keys (API.md, Background jobs: after 30 days).
    @discardableResult
    func purgeEnded() async throws -> Int {
        try await database.autocommit { db in try await keys.purgeEnded(olderThanDays: 30, on: db) }
    }
}

extension APIKeysService: AccessRevoker {
    /// Keys end with the account; a disabled owner's keys are refused by the lookup above
    /// and work again if the account is re-enabled, as its password does.
    func revokeAccess(of userID: UUID, because reason: AccessEndReason, on tx: Transaction) async throws {
        guard reason == .accountDeleted else { return }
        try await keys.revokeAll(userID: userID, on: tx)
    }
}
