import Foundation
import HTTPTestSupport
import Testing
@testable import StorefrontApp

/// Real parallel HTTP requests against the real PostgreSQL: stock never goes negative,
/// orders sharing products never deadlock, a key places one order, a cancel restocks once.
@Suite struct OrdersConcurrencyTests {
    /// Runs `count` requests at once and returns their responses.
    static func parallel(_ count: Int,
                         _ request: @escaping @Sendable (Int) async throws -> RawHTTPClient.Response) async throws
        -> [RawHTTPClient.Response] {
        try await withThrowingTaskGroup(of: RawHTTPClient.Response.self) { group in
            for index in 0..<count { group.addTask { try await request(index) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func twentyBuyersOfTheLastFiveUnits() async throws {
        try await withOrdersApp { api in
            let last = try await api.product("LAST-1", stock: 5)
            let buyers = try await api.buyers(20)
            let responses = try await OrdersConcurrencyTests.parallel(20) { index in
                try await api.order([(last, 1)], bearer: buyers[index].access)
            }
            #expect(responses.filter { $0.status == 201 }.count == 5)
            let refused = responses.filter { $0.status == 409 }
            #expect(refused.count == 15)
            #expect(refused.allSatisfy { errorCode($0) == "INSUFFICIENT_STOCK" })
            #expect(try await api.stock(last) == 0)
            #expect(try await api.count("SELECT count(*)::int AS n FROM orders") == 5)
        }
    }

    /// Rows are locked in id order whatever the line order, so A,B against B,A cannot deadlock.
    @Test func ordersLockingTheSameProductsInOppositeLineOrderBothSucceed() async throws {
        try await withOrdersApp { api in
            let first = try await api.product("AAA-1", stock: 100)
            let second = try await api.product("BBB-1", stock: 100)
            let buyers = try await api.buyers(2)
            let responses = try await OrdersConcurrencyTests.parallel(12) { index in
                let lines = index.isMultiple(of: 2) ? [(first, 1), (second, 1)] : [(second, 1), (first, 1)]
                return try await api.order(lines, bearer: buyers[index % 2].access)
            }
            #expect(responses.map(\.status) == Array(repeating: 201, count: 12), "\(responses.map(\.bodyText))")
            #expect(try await api.stock(first) == 88)
            #expect(try await api.stock(second) == 88)
        }
    }

    @Test func theSameKeyTenTimesAtOncePlacesOneOrder() async throws {
        try await withOrdersApp { api in
            let mug = try await api.product("MUG-1", stock: 100)
            let (_, access) = try await api.customer("k@example.com")
            let responses = try await OrdersConcurrencyTests.parallel(10) { _ in
                try await api.order([(mug, 2)], bearer: access, key: "once")
            }
            let created = responses.filter { $0.status == 201 }
            let busy = responses.filter { $0.status == 409 }
            #expect(busy.compactMap(errorCode) == Array(repeating: "IDEMPOTENCY_IN_PROGRESS", count: busy.count))
            #expect(busy.compactMap { $0.header("Retry-After") } == Array(repeating: "1", count: busy.count))
            #expect(created.count + busy.count == 10)
            #expect(created.filter { $0.header("Idempotent-Replayed") == nil }.count == 1)
            #expect(Set(created.map(\.body)).count == 1)
            #expect(try await api.count("SELECT count(*)::int AS n FROM orders") == 1)
            #expect(try await api.stock(mug) == 98)
        }
    }

    @Test func tenConcurrentCancelsRestockOnce() async throws {
        try await withOrdersApp { api in
            let mug = try await api.product("MUG-1", stock: 10)
            let (_, access) = try await api.customer("k@example.com")
            let id = try #require(try await api.placed([(mug, 4)], bearer: access)["id"] as? String)
            let responses = try await OrdersConcurrencyTests.parallel(10) { _ in
                try await api.call("POST", "/api/v1/orders/\(id)/cancel", bearer: access)
            }
            #expect(responses.filter { $0.status == 200 }.count == 1)
            #expect(responses.filter { $0.status == 409 && errorCode($0) == "INVALID_STATE" }.count == 9)
            #expect(try await api.stock(mug) == 10)
        }
    }

    @Test func aCancelRacingAShipmentHasExactlyOneWinner() async throws {
        try await withOrdersApp { api in
            let mug = try await api.product("MUG-1", stock: 10)
            let (_, access) = try await api.customer("k@example.com")
            let admin = try await api.admin()
            for _ in 0..<5 {
                let id = try #require(try await api.placed([(mug, 1)], bearer: access)["id"] as? String)
                #expect(try await api.call("PATCH", "/api/v1/orders/\(id)", body: #"{"status":"paid"}"#,
                                           bearer: admin.access).status == 200)
                let responses = try await OrdersConcurrencyTests.parallel(2) { index in
                    index == 0
                        ? try await api.call("POST", "/api/v1/orders/\(id)/cancel", bearer: access)
                        : try await api.call("PATCH", "/api/v1/orders/\(id)", body: #"{"status":"shipped"}"#,
                                             bearer: admin.access)
                }
                #expect(responses.map(\.status).sorted() == [200, 409], "\(responses.map(\.bodyText))")
                let status = try #require(try await api.db.query("SELECT status FROM orders WHERE id = $1::uuid", [id])
                    .rows.first).decode("status", as: String.self)
                let cancelWon = responses.contains { $0.status == 200 && $0.bodyText.contains("\"cancelled\"") }
                #expect(status == (cancelWon ? "cancelled" : "shipped"))
            }
            let cancelled = try await api.count("SELECT count(*)::int AS n FROM orders WHERE status = 'cancelled'")
            #expect(try await api.stock(mug) == 10 - (5 - cancelled))
        }
    }
}
