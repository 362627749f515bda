import Foundation
import HTTPCore

/// Routes of API.md, Products: reads for anyone (with ETags, 304s and a cache policy that
/// depends on whether the caller identified themselves), writes for admins and keys with
/// `products:write`, each honouring `If-Match`.
struct ProductsController: Sendable {
    /// How long anonymous reads may be cached (API.md, Conditional requests and caching).
    static let anonymousMaxAgeSeconds = 60
    let service: ProductsService
    let cursors: CursorCodec

    func register(in router: inout Router) {
        let write = RouteAccess.admin(scope: .productsWrite)
        router.add(.get, "/api/v1/products", access: .anyone) { request, context in
            try await self.list(request, context)
        }
        router.add(.post, "/api/v1/products", access: write) { request, _ in
            let input = try request.input(ProductBodyInput.self)
            let product = try await self.service.create(input.draft)
            return ProductsController.render(product, status: .created,
                                             headers: [("Location", ProductsController.location(of: product.id))])
        }
        router.add(.get, "/api/v1/products/{id}", access: .anyone) { request, context in
            let product = try await self.service.product(request.input(ResourceIDInput.self).id)
            return try ProductsController.render(product)
                .conditional(on: request, tag: product.entityTag, cache: ProductsController.cachePolicy(context))
        }
        router.add(.put, "/api/v1/products/{id}", access: write) { request, _ in
            let input = try request.input(ReplaceProductInput.self)
            let expected = try request.ifMatch()?.expectedVersions(of: input.id) ?? .any
            return ProductsController.render(try await self.service.replace(input.id, with: input.draft, expected: expected))
        }
        router.add(.patch, "/api/v1/products/{id}", access: write) { request, _ in
            let input = try request.input(PatchProductInput.self)
            let expected = try request.ifMatch()?.expectedVersions(of: input.id) ?? .any
            return ProductsController.render(try await self.service.update(input.id, with: input.patch, expected: expected))
        }
        router.add(.delete, "/api/v1/products/{id}", access: write) { request, _ in
            let id = try request.input(ResourceIDInput.self).id
            try await self.service.delete(id, expected: request.ifMatch()?.expectedVersions(of: id) ?? .any)
            return HTTPResponse(status: .noContent)
        }
    }

    private func list(_ request: Request, _ context: RequestContext) async throws -> HTTPResponse {
        let input = try request.input(ListProductsInput.self)
        let page = input.page
        let rows = try await service.list(filter: input.filter, sort: page.sort, after: page.after(using: cursors),
                                          limit: page.limit)
        return try Page(rows: rows, limit: page.limit)
            .response(request: request, limit: page.limit, codec: cursors) { json, product in product.write(to: &json) }
            .conditional(on: request, cache: ProductsController.cachePolicy(context))
    }

    /// Anonymous reads are the same for everyone, so shared caches may keep them; a read
    /// with credentials is not stored (API.md: `no-store` when authenticated).
    static func cachePolicy(_ context: RequestContext) -> CachePolicy {
        context.principal == nil ? .shared(maxAgeSeconds: anonymousMaxAgeSeconds) : .noStore
    }

    static func location(of id: UUID) -> String { "/api/v1/products/\(id.uuidString.lowercased())" }

    /// A product with its `ETag`, as every write returns it.
    static func render(_ product: Product, status: HTTPStatus = .ok, headers: [(String, String)] = []) -> HTTPResponse {
        .json(status, headers: headers + [("ETag", product.entityTag.headerValue)]) { json in product.write(to: &json) }
    }
}
