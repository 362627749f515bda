/// Builds the sessions domain: its service (the auth link's access-token verifier) and
/// its routes.
struct SessionsModule: Sendable {
    /// What Users tells when an account's sessions must end. It needs nothing else, so it
    /// exists before the module (which needs Users) is built.
    static let accessRevoker: any AccessRevoker = SessionRepository()

    let service: SessionsService
    let controller: SessionsController

    init(database: Database, configuration: AppConfiguration, users: UsersService, totp: TOTPService,
         logger: Logger) throws {
        service = SessionsService(database: database, sessions: SessionRepository(), users: users, totp: totp,
                                  issuer: try TokenIssuer(configuration: configuration), logger: logger)
        controller = SessionsController(service: service)
    }
}
