import Crypto

/// Every domain, built in dependency order (ADR 0003): a domain is given the services it
/// calls, never their repositories. Products and Orders join here.
struct Domains: Sendable {
    let users: UsersModule
    let apiKeys: APIKeysModule
    let totp: TOTPModule
    let sessions: SessionsModule

    init(database: Database, configuration: AppConfiguration, hashing: PasswordHashingPool, logger: Logger) throws {
        let cursors = try CursorCodec(configuration: configuration)
        apiKeys = APIKeysModule(database: database, configuration: configuration, logger: logger, cursors: cursors)
        users = UsersModule(database: database, hashing: hashing, logger: logger, cursors: cursors,
                            revokers: [SessionsModule.accessRevoker, apiKeys.service])
        totp = TOTPModule(database: database, users: users.service)
        sessions = try SessionsModule(database: database, configuration: configuration, users: users.service,
                                      totp: totp.service, logger: logger)
    }

    /// The auth link: access tokens are the sessions domain's, keys the API keys domain's.
    var authMiddleware: AuthMiddleware {
        AuthMiddleware(accessTokens: sessions.service, apiKeys: apiKeys.service)
    }

    func register(in router: inout Router) {
        sessions.controller.register(in: &router)
        users.controller.register(in: &router)
        totp.controller.register(in: &router)
        apiKeys.controller.register(in: &router)
    }
}
