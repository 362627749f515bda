import Foundation
import Postgres

/// The rules of API.md, Users: who may see whom, password changes, and the admin
/// operations that must never leave the store without an active admin.
struct UsersService: Sendable {
    let pool: PostgresPool
    let users: UserRepository
    let refreshTokens: RefreshTokenRepository
    let apiKeys: APIKeyRepository
    let passwords: PasswordService

    /// Another user's profile is 404 unless the caller is an admin, who also still sees
    /// deleted (anonymized) accounts.
    func user(_ id: UUID, visibleTo principal: Principal) async throws -> User {
        guard id == principal.userID || principal.isAdmin,
              let user = try await users.find(id: id, includingDeleted: principal.isAdmin) else {
            throw IdentityError.notFound
        }
        return user
    }

    /// Changing the password needs the current one and ends every session.
    func updateOwnProfile(_ principal: Principal, name: PersonName?, newPassword: Password?,
                          currentPassword: String?, client: String) async throws -> User {
        var change: (hash: String, verifiedVersion: Int64)?
        if let newPassword {
            guard let currentPassword, let account = try await users.credentials(id: principal.userID),
                  try await passwords.verify(currentPassword, against: account.passwordHash, client: client)
            else { throw IdentityError.wrongCurrentPassword }
            change = (try await passwords.hash(newPassword.value, client: client), account.credentialsVersion)
        }
        return try await pool.withTransaction { connection in
            if let name { try await users.setName(id: principal.userID, name: name, on: connection) }
            if let change {
                // The current password must still be the one verified: a concurrent change
                // won, and this caller has not proved they know the new one.
                guard try await users.setPasswordHash(id: principal.userID, hash: change.hash,
                                                      ifVersion: change.verifiedVersion, on: connection)
                else { throw IdentityError.wrongCurrentPassword }
                try await refreshTokens.revokeAll(userID: principal.userID, reason: .passwordChanged, on: connection)
            }
            guard let user = try await users.find(id: principal.userID, on: connection) else {
                throw IdentityError.notFound
            }
            return user
        }
    }

    func list(filter: UserFilter, sort: UserSort, after: KeysetCursor?, limit: Int) async throws -> [User] {
        try await users.list(filter: filter, sort: sort, after: after, limit: limit)
    }

    /// Admin change of role or disabled flag; disabling ends the user's sessions.
    func update(_ id: UUID, role: Role?, disabled: Bool?) async throws -> User {
        try await pool.withTransaction { connection in
            let admins = try await users.lockActiveAdmins(on: connection)
            let removesAdmin = role == .customer || disabled == true
            if removesAdmin && admins == [id] { throw IdentityError.lastAdmin }
            guard let user = try await users.update(id: id, role: role, disabled: disabled, on: connection) else {
                throw IdentityError.notFound
            }
            if disabled == true {
                try await refreshTokens.revokeAll(userID: id, reason: .accountDisabled, on: connection)
            }
            return user
        }
    }

    /// Disables and anonymizes the account, ends its sessions and keys; its orders stay.
    func delete(_ id: UUID) async throws {
        try await pool.withTransaction { connection in
            let admins = try await users.lockActiveAdmins(on: connection)
            if admins == [id] { throw IdentityError.lastAdmin }
            guard try await users.anonymize(id: id, on: connection) else { throw IdentityError.notFound }
            try await refreshTokens.revokeAll(userID: id, reason: .accountDeleted, on: connection)
            try await apiKeys.revokeAll(userID: id, on: connection)
        }
    }
}
