/// Builds the TOTP domain: its service (which Sessions calls at sign-in) and its routes.
struct TOTPModule: Sendable {
    let service: TOTPService
    let controller: TOTPController

    init(database: Database, users: UsersService) {
        service = TOTPService(database: database, factors: TOTPRepository(), users: users)
        controller = TOTPController(service: service)
    }
}
