import Foundation

/// The rules of API.md, Orders: stock taken for every line or none, prices snapshotted,
/// one currency per order, the state machine, and who may see or change what. Every
/// change commits in one transaction with its event (`recordEvent`).
struct OrdersService: Sendable {
    let database: Database
    let orders: OrderRepository
    let products: ProductsService
    let outbox: EventOutbox

    /// Locks the products in id order, checks every line, takes the stock and inserts the
    /// order, all in one transaction: an order short on any line takes nothing.
    func place(for principal: Principal, lines: [OrderLine]) async throws -> Order {
        try await database.transaction { tx in
            let locked = try await products.lockForSale(lines.map(\.productID), on: tx)
            let byID = Dictionary(locked.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let unknown = lines.enumerated().filter { byID[$0.element.productID] == nil }.map { index, _ in
                FieldIssue(field: "items[\(index)].product_id", issue: "names no product")
            }
            guard unknown.isEmpty else { throw OrderError.invalidLines(unknown) }
            let draft = try OrderDraft.priced(userID: principal.userID, lines: lines, products: byID).get()
            let short = lines.enumerated().compactMap { index, line -> FieldIssue? in
                guard let product = byID[line.productID], product.stock < Int64(line.quantity) else { return nil }
                return FieldIssue(field: "items[\(index)].quantity",
                                  issue: "only \(product.stock) of \(product.sku.value) in stock")
            }
            guard short.isEmpty else { throw OrderError.insufficientStock(short) }
            let requests = lines.map { StockRequest(productID: $0.productID, quantity: Int64($0.quantity)) }
            // The rows are locked, so this cannot fall short; if it ever did, the throw rolls back.
            guard try await products.take(requests, on: tx) else { throw OrderError.insufficientStock([]) }
            let order = try await orders.insert(draft, on: tx)
            try await recordEvent(.created, order, in: tx)
            return order
        }
    }

    /// The caller's own order, or any for an admin; others' are as unknown as missing ones.
    func order(_ id: UUID, for principal: Principal) async throws -> Order {
        guard let order = try await database.autocommit({ db in try await orders.find(id: id, on: db) }),
              order.isVisible(to: principal)
        else { throw OrderError.notFound }
        return order
    }

    /// The caller's orders; an admin's `filter.userID` picks one customer's.
    func list(for principal: Principal, filter: OrderFilter, sort: OrderSort, after: KeysetCursor?,
              limit: Int) async throws -> [Keyed<Order>] {
        var filter = filter
        filter.owner = principal.isAdmin ? nil : principal.userID
        return try await database.autocommit { db in
            try await orders.list(filter: filter, sort: sort, after: after, limit: limit, on: db)
        }
    }

    /// POST /orders/{id}/cancel: the owner or an admin; the stock comes back in the same
    /// transaction, exactly once however many cancels race.
    func cancel(_ id: UUID, by principal: Principal) async throws -> Order {
        try await move(id, to: .cancelled, expected: .any, by: principal)
    }

    /// PATCH /orders/{id}: an admin moves the order along the state machine.
    func changeStatus(_ id: UUID, to status: OrderStatus, expected: ExpectedVersions,
                      by principal: Principal) async throws -> Order {
        guard principal.isAdmin else { throw AccessError.forbidden }
        return try await move(id, to: status, expected: expected, by: principal)
    }

    /// The one way an order changes status. The conditional update decides races; when it
    /// matches nothing, the order is read again to say why (gone, stale `If-Match`, or a
    /// move the machine does not allow from where it now is).
    private func move(_ id: UUID, to status: OrderStatus, expected: ExpectedVersions,
                      by principal: Principal) async throws -> Order {
        try await database.transaction { tx in
            guard let current = try await orders.find(id: id, on: tx), current.isVisible(to: principal) else {
                throw OrderError.notFound
            }
            guard expected.allows(current.version) else { throw OrderError.preconditionFailed }
            guard current.status.successors.contains(status) else {
                throw OrderError.invalidState(from: current.status, to: status)
            }
            guard let moved = try await orders.transition(id: id, to: status, from: status.predecessors,
                                                          expected: expected, items: current.items, on: tx)
            else { throw try await whyNot(id, to: status, expected: expected, on: tx) }
            if status == .cancelled {
                let requests = moved.items.map { StockRequest(productID: $0.productID, quantity: Int64($0.quantity)) }
                try await products.giveBack(requests, on: tx)
            }
            try await recordEvent(OrderEvent(reaching: status), moved, in: tx)
            return moved
        }
    }

    /// Why a transition matched no row: another writer got there first.
    private func whyNot(_ id: UUID, to status: OrderStatus, expected: ExpectedVersions,
                        on tx: Transaction) async throws -> OrderError {
        guard let now = try await orders.find(id: id, on: tx) else { return .notFound }
        return expected.allows(now.version) ? .invalidState(from: now.status, to: status) : .preconditionFailed
    }

    /// The one place an order change is announced: its outbox rows, in `tx`, so an event is
    /// written exactly when its change commits. `data` is the order as the API renders it.
    private func recordEvent(_ event: OrderEvent, _ order: Order, in tx: Transaction) async throws {
        try await outbox.record([OutboxDraft(type: event.rawValue, data: order.jsonBytes)], in: tx)
    }
}

extension Order {
    func isVisible(to principal: Principal) -> Bool { principal.isAdmin || userID == principal.userID }
}
