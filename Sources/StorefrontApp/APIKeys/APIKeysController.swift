import Foundation
import HTTPCore

/// Routes of API.md, API keys: what each endpoint reads, the service call, and how a key
/// is rendered. Keys are managed with an access token only: a key cannot mint or rotate keys.
struct APIKeysController: Sendable {
    let service: APIKeysService
    let cursors: CursorCodec

    func register(in router: inout Router) {
        router.add(.post, "/api/v1/api-keys", access: .accessToken) { request, context in
            let input = try request.input(CreateKeyInput.self)
            let (key, secret) = try await self.service.create(for: context.requirePrincipal(), name: input.name,
                                                              scopes: input.scopes, expiresAt: input.expiresAt)
            return APIKeysController.created(key, secret)
        }
        router.add(.get, "/api/v1/api-keys", access: .accessToken) { request, context in
            let page = try request.input(ListKeysInput.self).page
            let rows = try await self.service.list(for: context.requirePrincipal(), after: page.after(using: self.cursors),
                                                   limit: page.limit)
            return Page(rows: rows, limit: page.limit)
                .response(request: request, limit: page.limit, codec: self.cursors) { json, key in key.write(to: &json) }
        }
        router.add(.delete, "/api/v1/api-keys/{id}", access: .accessToken) { request, context in
            try await self.service.revoke(request.input(ResourceIDInput.self).id, by: context.requirePrincipal())
            return HTTPResponse(status: .noContent)
        }
        router.add(.post, "/api/v1/api-keys/{id}/rotate", access: .accessToken) { request, context in
            let (key, secret) = try await self.service.rotate(request.input(ResourceIDInput.self).id,
                                                              by: context.requirePrincipal())
            return APIKeysController.created(key, secret)
        }
    }

    /// The only responses that carry the key itself; never cached.
    private static func created(_ key: APIKey, _ secret: APIKeySecret) -> HTTPResponse {
        .json(.created, headers: [("Cache-Control", "no-store")]) { json in key.write(to: &json, key: secret.key) }
    }
}

struct CreateKeyInput: RequestInput {
    let name: String
    let scopes: [Scope]
    let expiresAt: Date?

    init?(_ fields: inout FieldReader) {
        let name = fields.string("name", .length(1...100), .printable)
        let scopes = fields.stringArray("scopes", maxCount: Scope.allCases.count, .oneOf(Scope.allCases.map(\.rawValue)))
        if scopes?.isEmpty == true { fields.addIssue("scopes", "must name at least one scope") }
        expiresAt = fields.timestamp("expires_at", required: false)
        if let expiresAt, expiresAt <= Date() { fields.addIssue("expires_at", "must be in the future") }
        guard let name, let scopes else { return nil }
        self.name = name
        self.scopes = scopes.compactMap(Scope.init(rawValue:))
    }
}

struct ListKeysInput: RequestInput {
    let page: PageRequest<APIKeySort>

    init?(_ fields: inout FieldReader) {
        guard let page = fields.page(default: APIKeySort.createdAt) else { return nil }
        self.page = page
    }
}

extension APIKey {
    /// API.md, API keys: `{id, name, prefix, scopes, created_at, expires_at, last_used_at}`
    /// plus `key` right after creation or rotation.
    func write(to json: inout JSONWriter, key: String? = nil) {
        json.beginObject()
        json.key("id"); json.uuid(id)
        json.key("name"); json.string(name)
        json.key("prefix"); json.string(prefix)
        json.key("scopes")
        json.beginArray()
        for scope in scopes { json.string(scope.rawValue) }
        json.endArray()
        json.key("created_at"); json.timestamp(createdAt)
        json.key("expires_at"); json.optionalString(expiresAt.map(Timestamp.rfc3339))
        json.key("last_used_at"); json.optionalString(lastUsedAt.map(Timestamp.rfc3339))
        if let key { json.key("key"); json.string(key) }
        json.endObject()
    }
}
