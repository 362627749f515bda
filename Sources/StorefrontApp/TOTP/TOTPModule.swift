import Crypto

/// Builds the TOTP domain: its service (which Sessions calls at sign-in) and its routes.
struct TOTPModule: Sendable {
    let service: TOTPService
    let controller: TOTPController

    init(database: Database, users: UsersService, secrets: SecretBox, logger: Logger) {
        service = TOTPService(database: database, factors: TOTPRepository(), users: users,
                              sealer: TOTPSecretSealer(box: secrets), logger: logger)
        controller = TOTPController(service: service)
    }
}
