import Foundation
import HTTPCore

/// Routes of API.md, Webhooks: admins only, by access token (a leaked API key must not be
/// able to aim the server's deliveries somewhere else).
struct WebhooksController: Sendable {
    let service: WebhooksService
    let cursors: CursorCodec
    let urlPolicy: WebhookURLPolicy

    func register(in router: inout Router) {
        let admin = RouteAccess.admin(scope: nil)
        router.add(.post, "/api/v1/webhooks", access: admin) { request, _ in
            let input = try request.input { fields in CreateWebhookInput(&fields, policy: self.urlPolicy) }
            let (endpoint, secret) = try await self.service.create(input)
            return WebhooksController.withSecret(endpoint, secret, status: .created,
                                                 headers: [("Location", WebhooksController.location(of: endpoint.id))])
        }
        router.add(.get, "/api/v1/webhooks", access: admin) { request, _ in
            let page = try request.input(ListWebhooksInput.self).page
            let rows = try await self.service.list(after: page.after(using: self.cursors), limit: page.limit)
            return Page(rows: rows, limit: page.limit)
                .response(request: request, limit: page.limit, codec: self.cursors) { json, endpoint in endpoint.write(to: &json) }
        }
        router.add(.get, "/api/v1/webhooks/{id}", access: admin) { request, _ in
            let endpoint = try await self.service.endpoint(request.input(ResourceIDInput.self).id)
            return .json { json in endpoint.write(to: &json) }
        }
        router.add(.patch, "/api/v1/webhooks/{id}", access: admin) { request, _ in
            let input = try request.input { fields in PatchWebhookInput(&fields, policy: self.urlPolicy) }
            let endpoint = try await self.service.update(input.id, with: input.patch)
            return .json { json in endpoint.write(to: &json) }
        }
        router.add(.delete, "/api/v1/webhooks/{id}", access: admin) { request, _ in
            try await self.service.delete(request.input(ResourceIDInput.self).id)
            return HTTPResponse(status: .noContent)
        }
        router.add(.post, "/api/v1/webhooks/{id}/rotate-secret", access: admin) { request, _ in
            let (endpoint, secret) = try await self.service.rotateSecret(request.input(ResourceIDInput.self).id)
            return WebhooksController.withSecret(endpoint, secret, status: .ok)
        }
        router.add(.post, "/api/v1/webhooks/{id}/ping", access: admin) { request, _ in
            let delivery = try await self.service.ping(request.input(ResourceIDInput.self).id)
            return .json(.accepted) { json in delivery.write(to: &json) }
        }
        router.add(.get, "/api/v1/webhooks/{id}/deliveries", access: admin) { request, _ in
            let input = try request.input(ListDeliveriesInput.self)
            let page = input.page
            let rows = try await self.service.deliveries(of: input.endpointID, status: input.status,
                                                         after: page.after(using: self.cursors), limit: page.limit)
            return Page(rows: rows, limit: page.limit)
                .response(request: request, limit: page.limit, codec: self.cursors) { json, delivery in delivery.write(to: &json) }
        }
        router.add(.post, "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", access: admin) { request, _ in
            let input = try request.input(DeliveryPathInput.self)
            let delivery = try await self.service.redeliver(input.deliveryID, of: input.endpointID)
            return .json(.accepted) { json in delivery.write(to: &json) }
        }
    }

    static func location(of id: UUID) -> String { "/api/v1/webhooks/\(id.uuidString.lowercased())" }

    /// The only responses that carry the secret; never stored by a cache.
    private static func withSecret(_ endpoint: WebhookEndpoint, _ secret: WebhookSecret, status: HTTPStatus,
                                   headers: [(String, String)] = []) -> HTTPResponse {
        .json(status, headers: headers + [("Cache-Control", "no-store")]) { json in endpoint.write(to: &json, secret: secret) }
    }
}

extension WebhookEndpoint {
    /// API.md: `{id, url, events, description, enabled, circuit, created_at, updated_at}`,
    /// plus `secret` on creation and rotation.
    func write(to json: inout JSONWriter, secret: WebhookSecret? = nil) {
        json.beginObject()
        json.key("id"); json.uuid(id)
        json.key("url"); json.string(url)
        json.key("events")
        json.beginArray()
        for name in events.stored { json.string(name) }
        json.endArray()
        json.key("description"); json.optionalString(description)
        json.key("enabled"); json.bool(enabled)
        json.key("circuit"); json.string(circuit.rawValue)
        json.key("created_at"); json.timestamp(createdAt)
        json.key("updated_at"); json.timestamp(updatedAt)
        if let secret { json.key("secret"); json.string(secret.text) }
        json.endObject()
    }
}

extension WebhookDelivery {
    /// API.md: `{id, event_id, event_type, status, attempts, created_at, last_attempt_at,
    /// next_attempt_at, last_response_status, last_error}`.
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.uuid(id)
        json.key("event_id"); json.uuid(eventID)
        json.key("event_type"); json.string(eventType)
        json.key("status"); json.string(status.rawValue)
        json.key("attempts"); json.integer(attempts)
        json.key("created_at"); json.timestamp(createdAt)
        json.key("last_attempt_at"); json.optionalString(lastAttemptAt.map(Timestamp.rfc3339))
        json.key("next_attempt_at"); json.optionalString(nextAttemptAt.map(Timestamp.rfc3339))
        json.key("last_response_status")
        if let lastResponseStatus { json.integer(lastResponseStatus) } else { json.null() }
        json.key("last_error"); json.optionalString(lastError)
        json.endObject()
    }
}
