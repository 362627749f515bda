import Foundation

/// The rules of API.md, Users: accounts and their passwords, who may see whom, and the
/// admin operations that must never leave the store without an active admin. Whenever an
/// account's credentials must stop working, every `AccessRevoker` is told in the same
/// transaction (sessions, API keys), so the change and the revocation commit together.
/// `client` (the caller's IP) is the fair-share queue of the password hashing pool.
struct UsersService: Sendable {
    let database: Database
    let users: UserRepository
    let passwords: PasswordService
    let revokers: [any AccessRevoker]

    func register(email: Email, password: Password, name: PersonName, client: String) async throws -> User {
        try await createAccount(email: email, password: password, name: name, role: .customer, client: client)
    }

    func createAccount(email: Email, password: Password, name: PersonName, role: Role,
                       client: String) async throws -> User {
        let hash = try await passwords.hash(password.value, client: client)
        return try await database.autocommit { db in
            try await users.insert(email: email, name: name, passwordHash: hash, role: role, on: db)
        }
    }

    /// `create-admin`: creates the admin, or promotes (and re-enables) the account with
    /// this email and sets its password. True when it created.
    func createOrPromoteAdmin(email: Email, name: PersonName, password: Password,
                              client: String) async throws -> (User, Bool) {
        let hash = try await passwords.hash(password.value, client: client)
        return try await database.transaction { tx in
            let (user, created) = try await users.upsertAdmin(email: email, name: name, passwordHash: hash, on: tx)
            if !created { try await endAccess(of: user.id, because: .passwordChanged, on: tx) }
            return (user, created)
        }
    }

    /// The account a sign-in with this email and password is for. Unknown email and wrong
    /// password answer alike and cost one scrypt evaluation each, queued the same way for
    /// `client` in the hashing pool, so neither the answer (401, or 503 when that client's
    /// share of the pool is full) nor its timing tells whether an account exists.
    func authenticate(email: String, password: String, client: String) async throws -> VerifiedSignIn {
        guard let account = try await database.autocommit({ db in try await users.credentials(email: email, on: db) })
        else {
            try await passwords.spendVerifyTime(password, client: client)
            throw UserError.invalidCredentials
        }
        guard try await passwords.verify(password, against: account.passwordHash, client: client) else {
            throw UserError.invalidCredentials
        }
        // Only after the password: a disabled account is not revealed to someone guessing.
        guard !account.user.disabled else { throw UserError.accountDisabled }
        await upgradeIfOutdated(account, password: password, client: client)
        return VerifiedSignIn(user: account.user, credentialsVersion: account.credentialsVersion)
    }

    /// Inside the transaction that starts a session: throws unless the account is still
    /// usable with the credentials `signIn` verified. The row stays locked, so a password
    /// change, disabling or deletion that comes later waits, then revokes the new session.
    func confirmStillValid(_ signIn: VerifiedSignIn, on tx: Transaction) async throws {
        guard try await users.lockForSession(id: signIn.user.id, credentialsVersion: signIn.credentialsVersion, on: tx)
        else { throw UserError.invalidCredentials }
    }

    /// An account that may act now, read whole; nil when it is unknown, disabled or deleted.
    func activeAccount(_ id: UUID) async throws -> User? {
        try await database.autocommit { db in try await users.activeAccount(id: id, on: db) }
    }

    /// The same, read inside the caller's transaction (refresh-token rotation).
    func activeRole(_ id: UUID, on tx: Transaction) async throws -> Role? {
        try await users.activeRole(id: id, on: tx)
    }

    /// Another user's profile is 404 unless the caller is an admin, who also still sees
    /// deleted (anonymized) accounts.
    func user(_ id: UUID, visibleTo principal: Principal) async throws -> User {
        // The caller's own row, read by the auth link in the statement that proved the
        // account active (so not deleted): what the query below would read again.
        if id == principal.userID, let own = principal.account?.value(as: User.self), own.id == id { return own }
        guard id == principal.userID || principal.isAdmin,
              let user = try await database.autocommit({ db in
                  try await users.find(id: id, includingDeleted: principal.isAdmin, on: db)
              })
        else { throw UserError.notFound }
        return user
    }

    /// Changing the password needs the current one and ends every session.
    func updateOwnProfile(_ principal: Principal, name: PersonName?, newPassword: Password?,
                          currentPassword: String?, client: String) async throws -> User {
        let id = principal.userID
        var change: (hash: String, verifiedVersion: Int64)?
        if let newPassword {
            guard let currentPassword,
                  let account = try await database.autocommit({ db in try await users.credentials(id: id, on: db) }),
                  try await passwords.verify(currentPassword, against: account.passwordHash, client: client)
            else { throw UserError.wrongCurrentPassword }
            change = (try await passwords.hash(newPassword.value, client: client), account.credentialsVersion)
        }
        return try await database.transaction { tx in
            if let name { try await users.setName(id: id, name: name, on: tx) }
            if let change {
                // The current password must still be the one verified: a concurrent change
                // won, and this caller has not proved they know the new one.
                guard try await users.setPasswordHash(id: id, hash: change.hash, ifVersion: change.verifiedVersion,
                                                      on: tx)
                else { throw UserError.wrongCurrentPassword }
                try await endAccess(of: id, because: .passwordChanged, on: tx)
            }
            guard let user = try await users.find(id: id, on: tx) else { throw UserError.notFound }
            return user
        }
    }

    func list(filter: UserFilter, sort: UserSort, after: KeysetCursor?, limit: Int) async throws -> [Keyed<User>] {
        try await database.autocommit { db in
            try await users.list(filter: filter, sort: sort, after: after, limit: limit, on: db)
        }
    }

    /// Admin change of role or disabled flag; disabling ends the user's sessions.
    func update(_ id: UUID, role: Role?, disabled: Bool?) async throws -> User {
        try await database.transaction { tx in
            let admins = try await users.lockActiveAdmins(on: tx)
            let removesAdmin = role == .customer || disabled == true
            if removesAdmin && admins == [id] { throw UserError.lastAdmin }
            guard let user = try await users.update(id: id, role: role, disabled: disabled, on: tx) else {
                throw UserError.notFound
            }
            if disabled == true { try await endAccess(of: id, because: .accountDisabled, on: tx) }
            return user
        }
    }

    /// Disables and anonymizes the account, ends its sessions and keys; its orders stay.
    func delete(_ id: UUID) async throws {
        try await database.transaction { tx in
            let admins = try await users.lockActiveAdmins(on: tx)
            if admins == [id] { throw UserError.lastAdmin }
            guard try await users.anonymize(id: id, on: tx) else { throw UserError.notFound }
            try await endAccess(of: id, because: .accountDeleted, on: tx)
        }
    }

    private func endAccess(of id: UUID, because reason: AccessEndReason, on tx: Transaction) async throws {
        for revoker in revokers { try await revoker.revokeAccess(of: id, because: reason, on: tx) }
    }

    /// After a successful sign-in: store a hash made with today's parameters if the stored
    /// one is older (and still the one stored). Failing here must not fail the sign-in.
    private func upgradeIfOutdated(_ account: UserCredentials, password: String, client: String) async {
        guard passwords.isOutdated(account.passwordHash) else { return }
        do {
            let hash = try await passwords.hash(password, client: client)
            try await database.autocommit { db in
                try await users.upgradePasswordHash(id: account.user.id, from: account.passwordHash, to: hash, on: db)
            }
        } catch {
            passwords.logger.warning("password hash upgrade failed",
                                     ["user_id": .string(account.user.id.uuidString.lowercased())])
        }
    }
}
