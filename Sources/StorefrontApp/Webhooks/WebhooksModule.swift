import Foundation
import HTTPClient
import Resilience

/// Builds the Webhooks domain: the admin routes, and the job handlers the workers run. The
/// outbound client is the domain's own (its loops and resolver threads), shut down with
/// the application.
struct WebhooksModule: Sendable {
    let client: HTTPClient
    let service: WebhooksService
    let controller: WebhooksController
    let deliverer: WebhookDeliverer
    let fanOut: WebhookFanOut
    let deliveryJob: WebhookDeliveryJob
    let retentionDays: Int
    let latency = WebhookLatency()

    init(database: Database, configuration: AppConfiguration, cursors: CursorCodec, logger: Logger,
         jobs: JobQueue, outbox: EventOutbox) throws {
        let webhooks = configuration.webhooks
        let scheduler = QueuedDeliveries(queue: jobs)
        retentionDays = webhooks.retentionDays
        client = try HTTPClient(configuration: webhooks.clientConfiguration)
        let sealer = WebhookSecretSealer(box: configuration.dataEncryptionKey.box)
        service = WebhooksService(database: database, endpoints: WebhookRepository(), deliveries: DeliveryRepository(),
                                  sealer: sealer, client: client, allowPrivate: webhooks.allowPrivate,
                                  scheduler: scheduler)
        controller = WebhooksController(service: service, cursors: cursors,
                                        urlPolicy: WebhookURLPolicy(allowHTTP: webhooks.allowHTTP))
        var deliverer = WebhookDeliverer(database: database, attempts: AttemptRepository(), sealer: sealer, client: client,
                                         timeout: webhooks.timeout, schedule: webhooks.retrySchedule,
                                         breakerPolicy: webhooks.breakerPolicy, logger: logger)
        deliverer.observe = { [latency] _, seconds, succeeded in latency.observe(seconds: seconds, succeeded: succeeded) }
        self.deliverer = deliverer
        fanOut = WebhookFanOut(database: database, outbox: outbox, deliveries: DeliveryRepository(), scheduler: scheduler,
                               logger: logger)
        deliveryJob = WebhookDeliveryJob(deliverer: deliverer)
    }

    /// The hourly purge of delivery records older than WEBHOOK_RETENTION_DAYS.
    var purge: PeriodicJob {
        PeriodicJob(name: "purge-webhook-deliveries", every: .seconds(3600)) { [service, retentionDays] in
            _ = try await service.purge(olderThanDays: retentionDays)
        }
    }
}

extension WebhookConfiguration {
    var retrySchedule: RetrySchedule {
        RetrySchedule(maxAttempts: maxAttempts, baseSeconds: Double(retryBaseSeconds), maxSeconds: Double(retryMaxSeconds))
    }
}
