import Foundation
import HTTPClient

/// A receiver URL that passed every check that needs no network (API.md, Webhooks):
/// absolute `https://` (or `http://` when allowed), at most 2048 characters, no
/// credentials, a host and port the client accepts. Whether the host resolves to a
/// permitted address is the service's question (`WebhooksService.checkDestination`).
struct WebhookURL: Sendable, Equatable {
    static let maxLength = 2048
    let text: String
    let host: String

    /// Why a URL is refused: the issue to report on the field.
    struct Unacceptable: Error, Sendable {
        let issue: String
    }

    /// The URL, or the issue to report on the field.
    static func parse(_ text: String, allowHTTP: Bool) -> Result<WebhookURL, Unacceptable> {
        func issue(_ text: String) -> Result<WebhookURL, Unacceptable> { .failure(Unacceptable(issue: text)) }
        guard text.unicodeScalars.count <= maxLength else { return issue("must be at most \(maxLength) characters") }
        let lower = text.lowercased()
        let isHTTPS = lower.hasPrefix("https://")
        guard isHTTPS || (allowHTTP && lower.hasPrefix("http://")) else {
            return issue(allowHTTP ? "must be an absolute http:// or https:// URL" : "must be an absolute https:// URL")
        }
        let afterScheme = text.dropFirst(isHTTPS ? 8 : 7)
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { return issue("must not carry credentials") }
        do {
            let parsed = try HTTPClientURL(text)
            return .success(WebhookURL(text: text, host: parsed.host))
        } catch {
            guard case .invalidRequest(let reason) = error else { return issue("is not a valid URL") }
            return issue("is not a valid URL: \(reason)")
        }
    }
}

/// What an input needs from configuration to judge a URL.
struct WebhookURLPolicy: Sendable {
    let allowHTTP: Bool
}

extension FieldReader {
    mutating func webhookURL(required: Bool, policy: WebhookURLPolicy) -> WebhookURL? {
        guard let text = string("url", required: required, .printable) else { return nil }
        switch WebhookURL.parse(text, allowHTTP: policy.allowHTTP) {
        case .success(let url): return url
        case .failure(let refusal):
            addIssue("url", refusal.issue)
            return nil
        }
    }

    /// `events`: at least one known type without repeats, or `["*"]` alone for all.
    mutating func webhookEvents(required: Bool) -> WebhookSubscription? {
        let known = [WebhookSubscription.wildcard] + WebhookEventType.allCases.map(\.rawValue)
        guard let names = stringArray("events", required: required, maxCount: known.count, .oneOf(known)) else {
            return nil
        }
        guard !names.isEmpty else {
            addIssue("events", "must name at least one event type, or [\"*\"] for all")
            return nil
        }
        if names.contains(WebhookSubscription.wildcard) {
            guard names.count == 1 else {
                addIssue("events", "\"*\" means every event type and must be alone")
                return nil
            }
            return .all
        }
        return .types(names.compactMap(WebhookEventType.init))
    }

    mutating func webhookDescription() -> String? {
        string("description", required: false, .length(0...500), .printable)
    }
}

struct CreateWebhookInput: Sendable {
    let url: WebhookURL
    let events: WebhookSubscription
    let description: String?

    init?(_ fields: inout FieldReader, policy: WebhookURLPolicy) {
        let url = fields.webhookURL(required: true, policy: policy)
        let events = fields.webhookEvents(required: true)
        description = fields.webhookDescription()
        guard let url, let events else { return nil }
        (self.url, self.events) = (url, events)
    }
}

/// A merge patch (RFC 7396) of `{url?, events?, description?, enabled?}`: `null` clears
/// `description`; `null` on the others is a 422, since every endpoint has them.
struct PatchWebhookInput: Sendable {
    let id: UUID
    let patch: WebhookPatch

    init?(_ fields: inout FieldReader, policy: WebhookURLPolicy) {
        let id = fields.pathID()
        for field in ["url", "events", "enabled"] where fields.isExplicitNull(field) {
            fields.addIssue(field, "must not be null: every endpoint has one")
        }
        var patch = WebhookPatch()
        patch.url = fields.webhookURL(required: false, policy: policy)
        patch.events = fields.webhookEvents(required: false)
        if fields.isExplicitNull("description") {
            patch.description = .some(nil)
        } else if let description = fields.webhookDescription() {
            patch.description = .some(description)
        }
        patch.enabled = fields.boolean("enabled", required: false)
        guard let id else { return nil }
        (self.id, self.patch) = (id, patch)
    }
}

/// The changes of a PATCH; nil members stay as they are.
struct WebhookPatch: Sendable, Equatable {
    var url: WebhookURL?
    var events: WebhookSubscription?
    /// `.some(nil)` clears the description.
    var description: String??
    var enabled: Bool?
}

struct ListWebhooksInput: RequestInput {
    let page: PageRequest<WebhookSort>

    init?(_ fields: inout FieldReader) {
        guard let page = fields.page(default: WebhookSort.createdAt) else { return nil }
        self.page = page
    }
}

struct ListDeliveriesInput: RequestInput {
    let endpointID: UUID
    let status: DeliveryStatus?
    let page: PageRequest<DeliverySort>

    init?(_ fields: inout FieldReader) {
        let id = fields.pathID()
        status = fields.choice("status", in: .query, required: false, DeliveryStatus.self)
        let page = fields.page(default: DeliverySort.createdAtDescending)
        guard let id, let page else { return nil }
        (endpointID, self.page) = (id, page)
    }
}

struct DeliveryPathInput: RequestInput {
    let endpointID: UUID
    let deliveryID: UUID

    init?(_ fields: inout FieldReader) {
        let endpointID = fields.pathID()
        let deliveryID = fields.pathID("delivery_id")
        guard let endpointID, let deliveryID else { return nil }
        (self.endpointID, self.deliveryID) = (endpointID, deliveryID)
    }
}

extension Request {
    /// `input(_:)` for inputs that also need configuration to judge their fields.
    func input<Input>(_ make: (inout FieldReader) -> Input?) throws(AppError) -> Input {
        var fields = FieldReader(self)
        let input = make(&fields)
        try fields.finish()
        guard let input else { throw AppError(.internalError, "An internal error occurred") }
        return input
    }
}
