import Foundation
import HTTPCore

/// The one sort order of GET /api-keys: oldest first.
enum APIKeySort: String, Sendable, CaseIterable {
    case createdAt = "created_at"
}

/// Routes of API.md, API keys. Keys are managed with an access token only: a key cannot
/// mint or rotate keys.
struct APIKeysController: Sendable {
    let service: APIKeysService
    let cursors: CursorCodec

    func register(in router: inout Router) {
        router.add(.post, "/api/v1/api-keys", access: .bearer) { request, context in
            try await self.create(request, context.requirePrincipal())
        }
        router.add(.get, "/api/v1/api-keys", access: .bearer) { request, context in
            try await self.list(request, context.requirePrincipal())
        }
        router.add(.delete, "/api/v1/api-keys/{id}", access: .bearer) { request, context in
            try await self.service.revoke(request.uuidParameter(), by: context.requirePrincipal())
            return HTTPResponse(status: .noContent)
        }
        router.add(.post, "/api/v1/api-keys/{id}/rotate", access: .bearer) { request, context in
            let (key, secret) = try await self.service.rotate(request.uuidParameter(), by: context.requirePrincipal())
            return APIKeysController.created(key, secret)
        }
    }

    private func create(_ request: Request, _ principal: Principal) async throws -> HTTPResponse {
        var body = try FieldReader.body(request)
        let name = body.string("name", .length(1...100), .printable)
        let scopes = body.stringArray("scopes", maxCount: Scope.allCases.count, .oneOf(Scope.allCases.map(\.rawValue)))
        if scopes?.isEmpty == true { body.addIssue("scopes", "must name at least one scope") }
        let expiresAt = body.timestamp("expires_at", required: false)
        if let expiresAt, expiresAt <= Date() { body.addIssue("expires_at", "must be in the future") }
        try body.finish()
        guard let name, let scopes else { throw AppError.validation(body.issues) }
        let (key, secret) = try await service.create(for: principal, name: name,
                                                     scopes: scopes.compactMap(Scope.init(rawValue:)),
                                                     expiresAt: expiresAt)
        return APIKeysController.created(key, secret)
    }

    private func list(_ request: Request, _ principal: Principal) async throws -> HTTPResponse {
        try request.requireWellFormedQuery()
        let page = try PageRequest<APIKeySort>(query: request.query, defaultSort: .createdAt, codec: cursors)
        let rows = try await service.list(for: principal, after: page.after, limit: page.limit)
        return Page(rows: rows, limit: page.limit) { KeysetCursor(sort: page.sort.rawValue, key: $0.createdKey, id: $0.id) }
            .response(request: request, limit: page.limit, codec: cursors) { json, key in key.write(to: &json) }
    }

    /// The only responses that carry the key itself; never cached.
    private static func created(_ key: APIKey, _ secret: APIKeySecret) -> HTTPResponse {
        .json(.created, headers: [("Cache-Control", "no-store")]) { json in key.write(to: &json, key: secret.key) }
    }
}
