import Crypto

/// Every domain, built in dependency order (ADR 0003): a domain is given the services it
/// calls, never their repositories. Orders joins here.
struct Domains: Sendable {
    let users: UsersModule
    let apiKeys: APIKeysModule
    let totp: TOTPModule
    let sessions: SessionsModule
    let products: ProductsModule
    let orders: OrdersModule
    let idempotency: IdempotencyModule
    /// The durable queue (ADR 0008), and the outbox that Products and Orders write into it.
    let jobs: JobQueue
    let outbox: EventOutbox
    let webhooks: WebhooksModule

    init(database: Database, configuration: AppConfiguration, hashing: PasswordHashingPool, logger: Logger) throws {
        let cursors = try CursorCodec(configuration: configuration)
        jobs = JobQueue(database: database)
        outbox = EventOutbox(queue: jobs)
        apiKeys = APIKeysModule(database: database, configuration: configuration, logger: logger, cursors: cursors)
        users = UsersModule(database: database, hashing: hashing, logger: logger, cursors: cursors,
                            revokers: [SessionsModule.accessRevoker, apiKeys.service])
        totp = TOTPModule(database: database, users: users.service, secrets: configuration.dataEncryptionKey.box,
                          logger: logger)
        sessions = try SessionsModule(database: database, configuration: configuration, users: users.service,
                                      totp: totp.service, logger: logger)
        products = ProductsModule(database: database, cursors: cursors, outbox: outbox)
        orders = OrdersModule(database: database, products: products.service, cursors: cursors, outbox: outbox)
        idempotency = IdempotencyModule(database: database)
        webhooks = try WebhooksModule(database: database, configuration: configuration, cursors: cursors, logger: logger,
                                      jobs: jobs, outbox: outbox)
    }

    /// The auth link: access tokens are the sessions domain's, keys the API keys domain's.
    var authMiddleware: AuthMiddleware {
        AuthMiddleware(accessTokens: sessions.service, apiKeys: apiKeys.service)
    }

    /// POSTs whose answers carry a secret shown once (a new API key, a TOTP secret, a
    /// webhook secret): an `Idempotency-Key` there is checked but the answer is not stored.
    static let oneTimeSecretRoutes: Set<String> = ["/api/v1/api-keys", "/api/v1/api-keys/{id}/rotate",
                                                    "/api/v1/auth/mfa/totp", "/api/v1/webhooks",
                                                    "/api/v1/webhooks/{id}/rotate-secret"]

    var idempotencyMiddleware: IdempotencyMiddleware {
        idempotency.middleware(unstoredRoutes: Domains.oneTimeSecretRoutes)
    }

    /// The handlers of the queue's job kinds, given to the worker (`JobWorker`). A kind with
    /// no handler here stays queued. Webhooks registers its `event.published` fan-out and
    /// its delivery handler here.
    var jobHandlers: [any JobHandler] { [webhooks.fanOut, webhooks.deliveryJob] }

    /// Work that runs on one instance of the cluster at a time (API.md, Background jobs).
    var periodicJobs: [PeriodicJob] {
        [
            PeriodicJob(name: "purge-idempotency-keys", every: .seconds(3600)) { [idempotency] in
                try await idempotency.service.purgeExpired()
            },
            PeriodicJob(name: "purge-ended-sessions", every: .seconds(3600)) { [sessions] in
                try await sessions.service.purgeEnded()
            },
            PeriodicJob(name: "purge-ended-api-keys", every: .seconds(3600)) { [apiKeys] in
                try await apiKeys.service.purgeEnded()
            },
            webhooks.purge,
            PeriodicJob(name: "purge-events", every: .seconds(3600)) { [outbox, days = webhooks.retentionDays] in
                _ = try await outbox.purge(olderThanDays: days)
            },
        ]
    }

    func register(in router: inout Router) {
        sessions.controller.register(in: &router)
        users.controller.register(in: &router)
        totp.controller.register(in: &router)
        apiKeys.controller.register(in: &router)
        products.controller.register(in: &router)
        orders.controller.register(in: &router)
        webhooks.controller.register(in: &router)
    }
}
