import Foundation
import Postgres

/// The rules of API.md, API keys: scopes within the owner's role, one-time display of the
/// key, owner-only rotation with a grace period, revocation by the owner or an admin.
struct APIKeysService: Sendable {
    let pool: PostgresPool
    let keys: APIKeyRepository
    let rotationGraceSeconds: Int

    func create(for principal: Principal, name: String, scopes: [Scope],
                expiresAt: Date?) async throws -> (APIKey, APIKeySecret) {
        guard Set(scopes).isSubset(of: Scope.grantable(to: principal.role)) else { throw IdentityError.forbidden }
        let secret = try APIKeySecret()
        let key = try await keys.insert(userID: principal.userID, name: name, secret: secret, scopes: scopes,
                                        expiresAt: expiresAt)
        return (key, secret)
    }

    func list(for principal: Principal, after: KeysetCursor?, limit: Int) async throws -> [APIKey] {
        try await keys.list(userID: principal.userID, after: after, limit: limit)
    }

    /// Another user's key is 404 to everyone but an admin.
    func revoke(_ id: UUID, by principal: Principal) async throws {
        guard let key = try await keys.find(id: id), key.userID == principal.userID || principal.isAdmin,
              try await keys.revoke(id: id)
        else { throw IdentityError.notFound }
    }

    /// A new key with the same name, scopes and expiry; the old one keeps working for the
    /// grace period so clients can be redeployed without an outage.
    func rotate(_ id: UUID, by principal: Principal) async throws -> (APIKey, APIKeySecret) {
        let secret = try APIKeySecret()
        let grace = rotationGraceSeconds
        return try await pool.withTransaction { connection in
            guard let old = try await keys.find(id: id, on: connection, locking: true), old.userID == principal.userID,
                  old.live
            else { throw IdentityError.notFound }
            guard !old.rotated else { throw IdentityError.apiKeyAlreadyRotated }
            // The same rule as creation, against the role the owner has now: a demoted
            // admin's products:write key does not rotate into a fresh products:write key.
            guard Set(old.scopes).isSubset(of: Scope.grantable(to: principal.role)) else {
                throw IdentityError.forbidden
            }
            let new = try await keys.insert(userID: old.userID, name: old.name, secret: secret, scopes: old.scopes,
                                            expiresAt: old.expiresAt, on: connection)
            try await keys.markRotated(id: old.id, successor: new.id, graceSeconds: grace, on: connection)
            return (new, secret)
        }
    }
}
