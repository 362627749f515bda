import Foundation
import HTTPClient
import Resilience

/// Builds the Webhooks domain: the admin routes, and the deliverer the workers run. The
/// outbound client is the domain's own (its loops and resolver threads), shut down with
/// the application.
struct WebhooksModule: Sendable {
    let client: HTTPClient
    let service: WebhooksService
    let controller: WebhooksController
    let deliverer: WebhookDeliverer

    init(database: Database, configuration: AppConfiguration, cursors: CursorCodec, logger: Logger,
         scheduler: any DeliveryScheduler = UnscheduledDeliveries()) throws {
        let webhooks = configuration.webhooks
        client = try HTTPClient(configuration: webhooks.clientConfiguration)
        let sealer = WebhookSecretSealer(box: configuration.dataEncryptionKey.box)
        service = WebhooksService(database: database, endpoints: WebhookRepository(), deliveries: DeliveryRepository(),
                                  sealer: sealer, client: client, allowPrivate: webhooks.allowPrivate,
                                  scheduler: scheduler)
        controller = WebhooksController(service: service, cursors: cursors,
                                        urlPolicy: WebhookURLPolicy(allowHTTP: webhooks.allowHTTP))
        deliverer = WebhookDeliverer(database: database, attempts: AttemptRepository(), sealer: sealer, client: client,
                                     timeout: webhooks.timeout, schedule: webhooks.retrySchedule,
                                     breakerPolicy: webhooks.breakerPolicy, logger: logger)
    }
}

/// No queue to hand deliveries to: they wait, due, until a worker attempts them.
struct UnscheduledDeliveries: DeliveryScheduler {
    func schedule(_ deliveryIDs: [UUID], in tx: Transaction) async throws {}
}
