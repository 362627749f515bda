import Crypto

/// Builds the Users domain: its service (which Sessions and TOTP call) and its routes.
struct UsersModule: Sendable {
    let service: UsersService
    let controller: UsersController

    /// - Parameter revokers: the domains whose credentials end when an account changes.
    init(database: Database, hashing: PasswordHashingPool, logger: Logger, cursors: CursorCodec,
         revokers: [any AccessRevoker]) {
        service = UsersService(database: database, users: UserRepository(),
                               passwords: PasswordService(hashing: hashing, logger: logger), revokers: revokers)
        controller = UsersController(service: service, cursors: cursors)
    }
}
