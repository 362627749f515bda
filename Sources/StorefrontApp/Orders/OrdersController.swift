import Foundation
import HTTPCore

/// Routes of API.md, Orders: placing (with a required `Idempotency-Key`), reading with
/// ETags, cancelling, and the admin's status changes with `If-Match`. Every answer depends
/// on who asks, so none may be stored by a cache.
struct OrdersController: Sendable {
    let service: OrdersService
    let cursors: CursorCodec

    func register(in router: inout Router) {
        router.add(.post, "/api/v1/orders", access: .user(scope: .ordersWrite)) { request, context in
            // The link before this one stores and replays; an order without a key could be placed twice.
            guard request.headers.contains("Idempotency-Key") else {
                throw AppError.badRequest("POST /api/v1/orders requires an Idempotency-Key header")
            }
            let input = try request.input(PlaceOrderInput.self)
            let order = try await self.service.place(for: context.requirePrincipal(), lines: input.lines)
            return OrdersController.render(order, status: .created,
                                           headers: [("Location", OrdersController.location(of: order.id))])
        }
        router.add(.get, "/api/v1/orders", access: .user(scope: .ordersRead)) { request, context in
            let input = try request.input(ListOrdersInput.self)
            let page = input.page
            let rows = try await self.service.list(for: context.requirePrincipal(), filter: input.filter,
                                                   sort: page.sort, after: page.after(using: self.cursors),
                                                   limit: page.limit)
            return try Page(rows: rows, limit: page.limit)
                .response(request: request, limit: page.limit, codec: self.cursors) { json, order in order.write(to: &json) }
                .conditional(on: request, cache: .noStore)
        }
        router.add(.get, "/api/v1/orders/{id}", access: .user(scope: .ordersRead)) { request, context in
            let order = try await self.service.order(request.input(ResourceIDInput.self).id,
                                                     for: context.requirePrincipal())
            return try OrdersController.render(order).conditional(on: request, tag: order.entityTag, cache: .noStore)
        }
        router.add(.post, "/api/v1/orders/{id}/cancel", access: .user(scope: .ordersWrite)) { request, context in
            let id = try request.input(ResourceIDInput.self).id
            return OrdersController.render(try await self.service.cancel(id, by: context.requirePrincipal()))
        }
        router.add(.patch, "/api/v1/orders/{id}", access: .admin(scope: .ordersWrite)) { request, context in
            let input = try request.input(ChangeOrderStatusInput.self)
            let expected = try request.ifMatch()?.expectedVersions(of: input.id) ?? .any
            return OrdersController.render(try await self.service.changeStatus(
                input.id, to: input.status, expected: expected, by: context.requirePrincipal()))
        }
    }

    static func location(of id: UUID) -> String { "/api/v1/orders/\(id.uuidString.lowercased())" }

    /// An order with its `ETag`, as every write returns it.
    static func render(_ order: Order, status: HTTPStatus = .ok, headers: [(String, String)] = []) -> HTTPResponse {
        .json(status, headers: headers + [("ETag", order.entityTag.headerValue), ("Cache-Control", "no-store")]) { json in
            order.write(to: &json)
        }
    }
}
