/// Builds the idempotency domain: the gate every POST under /api/v1 passes (a middleware
/// rather than routes) and the purge of expired answers.
struct IdempotencyModule: Sendable {
    let service: IdempotencyService

    init(database: Database) {
        service = IdempotencyService(database: database, records: IdempotencyRepository())
    }

    /// The chain's link; `unstoredRoutes` are the routes whose answers hold a one-time secret.
    func middleware(unstoredRoutes: Set<String>) -> IdempotencyMiddleware {
        IdempotencyMiddleware(service: service, unstoredRoutes: unstoredRoutes)
    }
}
