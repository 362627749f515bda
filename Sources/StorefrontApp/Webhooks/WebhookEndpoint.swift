import Crypto
import Foundation
import Resilience

/// The event types of API.md, Webhooks.
enum WebhookEventType: String, Sendable, CaseIterable {
    case orderCreated = "order.created"
    case orderPaid = "order.paid"
    case orderShipped = "order.shipped"
    case orderDelivered = "order.delivered"
    case orderCancelled = "order.cancelled"
    case productCreated = "product.created"
    case productUpdated = "product.updated"
    case productDeleted = "product.deleted"
    case ping = "webhook.ping"
}

/// What an endpoint subscribes to: every type, or a set of them.
enum WebhookSubscription: Sendable, Equatable {
    case all
    case types([WebhookEventType])

    static let wildcard = "*"

    var stored: [String] {
        switch self {
        case .all: [WebhookSubscription.wildcard]
        case .types(let types): types.map(\.rawValue)
        }
    }

    init(stored: [String]) {
        self = stored == [WebhookSubscription.wildcard] ? .all : .types(stored.compactMap(WebhookEventType.init))
    }
}

/// A subscribed receiver as admins see it: never its secret, except once in `WebhookSecret`.
struct WebhookEndpoint: Sendable {
    let id: UUID
    let url: String
    let events: WebhookSubscription
    let description: String?
    let enabled: Bool
    let circuit: CircuitBreaker.Phase
    let version: Int64
    let createdAt: Date
    let updatedAt: Date
}

/// An endpoint's signing secret: `whsec_` + base64 of 32 random bytes (API.md, Webhooks).
/// The key is the 32 bytes; only their sealed form is stored.
struct WebhookSecret: Sendable, CustomStringConvertible {
    static let prefix = "whsec_"
    static let keyLength = 32

    let key: [UInt8]

    init() throws { key = try SecureRandom.bytes(WebhookSecret.keyLength) }
    init(key: [UInt8]) { self.key = key }

    /// What the admin is shown, once.
    var text: String { WebhookSecret.prefix + Data(key).base64EncodedString() }

    /// Never the secret, in any log line or interpolation.
    var description: String { "whsec_********" }
}

/// Seals endpoint secrets for the row they belong to (ADR 0006): the endpoint's id is the
/// associated data, so a sealed secret copied into another row does not open there.
struct WebhookSecretSealer: Sendable {
    let box: SecretBox

    func seal(_ secret: WebhookSecret, for endpointID: UUID) throws -> [UInt8] {
        try box.seal(secret.key, associatedData: WebhookSecretSealer.associatedData(endpointID))
    }

    func open(_ sealed: [UInt8], for endpointID: UUID) throws(SecretBoxError) -> WebhookSecret {
        WebhookSecret(key: try box.open(sealed, associatedData: WebhookSecretSealer.associatedData(endpointID)))
    }

    /// Purpose and version first, so no other sealed value keyed by a UUID opens as this.
    static func associatedData(_ endpointID: UUID) -> [UInt8] {
        Array("storefront/webhook-secret/v1/\(endpointID.uuidString.lowercased())".utf8)
    }
}

/// API.md, Webhooks: a delivery's `status`.
enum DeliveryStatus: String, Sendable, CaseIterable {
    case pending
    case succeeded
    /// Will be retried at `next_attempt_at`.
    case failed
    /// Out of attempts (or its endpoint was disabled); only a redeliver tries again.
    case dead
}

/// One event on its way to one endpoint.
struct WebhookDelivery: Sendable {
    let id: UUID
    let endpointID: UUID
    let eventID: UUID
    let eventType: String
    let status: DeliveryStatus
    let attempts: Int
    let createdAt: Date
    let lastAttemptAt: Date?
    let nextAttemptAt: Date?
    let lastResponseStatus: Int?
    let lastError: String?
}

/// The one sort order of GET /webhooks: oldest first.
enum WebhookSort: String, Sendable, CaseIterable {
    case createdAt = "created_at"
}

/// The one sort order of GET /webhooks/{id}/deliveries: newest first.
enum DeliverySort: String, Sendable, CaseIterable {
    case createdAtDescending = "-created_at"
}
