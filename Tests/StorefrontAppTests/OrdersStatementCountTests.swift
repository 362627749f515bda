import Locking
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing
@testable import StorefrontApp

/// API.md, Orders: "the number of SQL statements per page does not grow with the page size".
///
/// Counted where it cannot be missed: `Database` hands every session a service uses (an
/// autocommit session or a transaction) and repositories hold no pool, so an observer on
/// the `Database` sees every statement the service runs, whichever path it takes. Exact
/// and deterministic, unlike server-side statistics that are flushed asynchronously.
@Suite struct OrdersStatementCountTests {
    @Test func aPageCostsTwoStatementsWhateverItsSize() async throws {
        try await TestDatabase.with(poolSize: 2) { database in
            let user = try #require(try await database.pool.query(
                "INSERT INTO users (email, password_hash, name) VALUES ('n@example.com', 'x', 'N') RETURNING id").rows.first)
            let principal = Principal(userID: try user.decode("id"), role: .customer, credential: .accessToken)
            let plain = Database(pool: database.pool)
            let outbox = EventOutbox(queue: JobQueue(database: plain))
            let products = ProductsService(database: plain, products: ProductRepository(), outbox: outbox)
            let placing = OrdersService(database: plain, orders: OrderRepository(), products: products, outbox: outbox)
            var productIDs: [UUID] = []
            for index in 0..<3 {
                let row = try #require(try await database.pool.query(
                    "INSERT INTO products (sku, name, price_cents, stock) VALUES ($1, 'P', 100, 1000) RETURNING id",
                    ["SKU-\(index)"]).rows.first)
                productIDs.append(try row.decode("id"))
            }
            for index in 0..<60 {
                // One to three lines each, so pages mix orders with different item counts.
                let lines = productIDs.prefix(index % 3 + 1).map { OrderLine(productID: $0, quantity: 1) }
                _ = try await placing.place(for: principal, lines: lines)
            }
            let statements = Locked(0)
            let counting = Database(pool: database.pool, observer: StatementObserver { _ in
                statements.withLock { $0 += 1 }
            })
            let orders = OrdersService(database: counting, orders: OrderRepository(), products: products, outbox: outbox)
            var counts: [Int: Int] = [:]
            for limit in [1, 10, 50, 100] {
                statements.withLock { $0 = 0 }
                let page = try await orders.list(for: principal, filter: OrderFilter(), sort: .createdAtDescending,
                                                 after: nil, limit: limit)
                #expect(page.count == min(limit + 1, 60))
                #expect(page.allSatisfy { !$0.item.items.isEmpty })
                counts[limit] = statements.withLock { $0 }
            }
            #expect(counts == [1: 2, 10: 2, 50: 2, 100: 2])
            let anyID = try #require(try await placing.list(for: principal, filter: OrderFilter(), sort: .total,
                                                            after: nil, limit: 1).first?.item.id)
            statements.withLock { $0 = 0 }
            let one = try await orders.order(anyID, for: principal)
            #expect(one.items.count >= 1)
            #expect(statements.withLock { $0 } == 2)
        }
    }
}
