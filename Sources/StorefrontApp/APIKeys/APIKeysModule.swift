/// Builds the API keys domain: its service (the auth link's key verifier, and a revoker
/// Users tells when an account goes) and its routes.
struct APIKeysModule: Sendable {
    let service: APIKeysService
    let controller: APIKeysController

    init(database: Database, configuration: AppConfiguration, logger: Logger, cursors: CursorCodec) {
        let keys = APIKeyRepository()
        service = APIKeysService(database: database, keys: keys,
                                 usage: APIKeyUsageRecorder(database: database, repository: keys, logger: logger),
                                 rotationGraceSeconds: configuration.apiKeyRotationGraceSeconds)
        controller = APIKeysController(service: service, cursors: cursors)
    }
}
