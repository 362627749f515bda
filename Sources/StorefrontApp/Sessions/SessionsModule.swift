import Crypto
import Postgres

/// Builds the identity domains (auth, users, API keys) from the configuration and the
/// pool: the auth link for the middleware chain and the routes for the router.
struct IdentityModule: Sendable {
    let authMiddleware: AuthMiddleware
    let authController: AuthController
    let usersController: UsersController
    let apiKeysController: APIKeysController

    init(configuration: AppConfiguration, pool: PostgresPool, hashing: PasswordHashingPool, cursors: CursorCodec,
         logger: Logger) throws {
        let users = UserRepository(pool: pool)
        let refreshTokens = RefreshTokenRepository(pool: pool)
        let apiKeys = APIKeyRepository(pool: pool)
        let issuer = try TokenIssuer(configuration: configuration)
        let passwords = PasswordService(hashing: hashing, users: users, logger: logger)
        authMiddleware = AuthMiddleware(authenticator: Authenticator(
            signer: issuer.signer, users: users, apiKeys: apiKeys,
            usage: APIKeyUsageRecorder(repository: apiKeys, logger: logger)))
        authController = AuthController(
            auth: AuthService(pool: pool, users: users, refreshTokens: refreshTokens, passwords: passwords,
                              issuer: issuer, logger: logger),
            totp: TOTPService(users: users))
        usersController = UsersController(
            service: UsersService(pool: pool, users: users, refreshTokens: refreshTokens, apiKeys: apiKeys,
                                  passwords: passwords),
            cursors: cursors)
        apiKeysController = APIKeysController(
            service: APIKeysService(pool: pool, keys: apiKeys,
                                    rotationGraceSeconds: configuration.apiKeyRotationGraceSeconds),
            cursors: cursors)
    }

    func register(in router: inout Router) {
        authController.register(in: &router)
        usersController.register(in: &router)
        apiKeysController.register(in: &router)
    }
}
