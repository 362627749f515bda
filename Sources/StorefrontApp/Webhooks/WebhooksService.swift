import Foundation
import HTTPClient

/// Where new or redelivered deliveries are handed to the workers: one job per delivery,
/// enqueued in the transaction that made the delivery (the jobs queue).
protocol DeliveryScheduler: Sendable {
    func schedule(_ deliveryIDs: [UUID], in tx: Transaction) async throws
}

/// The rules of API.md, Webhooks for admins: endpoints whose URL must point at a public
/// address, secrets shown once and rotated with a grace period, pings, delivery records
/// and redelivery.
struct WebhooksService: Sendable {
    /// How long deliveries are signed with the old secret as well after a rotation.
    static let rotationGraceSeconds = 24 * 3600

    let database: Database
    let endpoints: WebhookRepository
    let deliveries: DeliveryRepository
    let sealer: WebhookSecretSealer
    let client: HTTPClient
    let allowPrivate: Bool
    let scheduler: any DeliveryScheduler

    func create(_ input: CreateWebhookInput) async throws -> (WebhookEndpoint, WebhookSecret) {
        try await checkDestination(input.url)
        let id = UUID()
        let secret = try WebhookSecret()
        let sealed = try sealer.seal(secret, for: id)
        let endpoint = try await database.autocommit { db in
            try await endpoints.insert(id: id, url: input.url, events: input.events, description: input.description,
                                       sealedSecret: sealed, on: db)
        }
        return (endpoint, secret)
    }

    func list(after: KeysetCursor?, limit: Int) async throws -> [Keyed<WebhookEndpoint>] {
        try await database.autocommit { db in try await endpoints.list(after: after, limit: limit, on: db) }
    }

    func endpoint(_ id: UUID) async throws -> WebhookEndpoint {
        guard let endpoint = try await database.autocommit({ db in try await endpoints.find(id: id, on: db) }) else {
            throw WebhookError.notFound
        }
        return endpoint
    }

    func update(_ id: UUID, with patch: WebhookPatch) async throws -> WebhookEndpoint {
        if let url = patch.url { try await checkDestination(url) }
        guard let endpoint = try await database.autocommit({ db in try await endpoints.update(id: id, with: patch, on: db) })
        else { throw WebhookError.notFound }
        return endpoint
    }

    func delete(_ id: UUID) async throws {
        guard try await database.autocommit({ db in try await endpoints.delete(id: id, on: db) }) else {
            throw WebhookError.notFound
        }
    }

    func rotateSecret(_ id: UUID) async throws -> (WebhookEndpoint, WebhookSecret) {
        let secret = try WebhookSecret()
        let sealed = try sealer.seal(secret, for: id)
        guard let endpoint = try await database.autocommit({ db in
            try await endpoints.rotate(id: id, sealedSecret: sealed, graceSeconds: WebhooksService.rotationGraceSeconds, on: db)
        }) else { throw WebhookError.notFound }
        return (endpoint, secret)
    }

    /// A `webhook.ping` event for this endpoint alone, delivered like any other.
    func ping(_ id: UUID) async throws -> WebhookDelivery {
        let endpoint = try await endpoint(id)
        guard endpoint.enabled else { throw WebhookError.endpointDisabled }
        let eventID = UUID()
        var data = JSONWriter()
        data.beginObject()
        data.key("endpoint_id"); data.string(id.uuidString.lowercased())
        data.endObject()
        // Not an outbox row (it goes to this endpoint alone), but the same body as one.
        let event = OutboxEvent(id: eventID, type: WebhookEventType.ping.rawValue,
                                data: String(decoding: data.bytes, as: UTF8.self), createdAt: Date())
        let body = String(decoding: event.body, as: UTF8.self)
        return try await database.transaction { tx in
            let delivery = try await deliveries.insert(endpointID: id, eventID: eventID,
                                                       eventType: WebhookEventType.ping.rawValue, body: body, on: tx)
            try await scheduler.schedule([delivery.id], in: tx)
            return delivery
        }
    }

    func deliveries(of endpointID: UUID, status: DeliveryStatus?, after: KeysetCursor?,
                    limit: Int) async throws -> [Keyed<WebhookDelivery>] {
        _ = try await endpoint(endpointID)
        return try await database.autocommit { db in
            try await deliveries.list(endpointID: endpointID, status: status, after: after, limit: limit, on: db)
        }
    }

    func redeliver(_ deliveryID: UUID, of endpointID: UUID) async throws -> WebhookDelivery {
        try await database.transaction { tx in
            guard let delivery = try await deliveries.redeliver(id: deliveryID, endpointID: endpointID, on: tx) else {
                guard let current = try await deliveries.find(id: deliveryID, endpointID: endpointID, on: tx) else {
                    throw WebhookError.notFound
                }
                throw WebhookError.notRedeliverable(current.status)
            }
            try await scheduler.schedule([delivery.id], in: tx)
            return delivery
        }
    }

    /// Every endpoint's circuit, for `/metrics` (bounded: endpoints are made by admins).
    func circuits() async throws -> [EndpointCircuit] {
        try await database.autocommit { db in try await endpoints.circuits(limit: 1000, on: db) }
    }

    @discardableResult
    func purge(olderThanDays days: Int) async throws -> Int {
        try await database.autocommit { db in try await deliveries.purge(olderThanDays: days, on: db) }
    }

    /// API.md: a host that is, or resolves to, a loopback, private, link-local, multicast
    /// or unspecified address is refused unless `WEBHOOK_ALLOW_PRIVATE`. The name is
    /// resolved on the client's resolver threads, never on an event loop; deliveries check
    /// again at connect time, since the answer may change.
    private func checkDestination(_ url: WebhookURL) async throws {
        guard !allowPrivate else { return }
        do {
            try await client.checkDestination(host: url.host)
        } catch {
            switch error {
            case .forbiddenAddress(let reason):
                throw WebhookError.unacceptableURL(
                    "must not point at a loopback, private, link-local, multicast or unspecified address (\(reason))")
            case .dns: throw WebhookError.unacceptableURL("has a host that does not resolve")
            default: throw WebhookError.unacceptableURL("has a host that cannot be checked now; try again")
            }
        }
    }
}
