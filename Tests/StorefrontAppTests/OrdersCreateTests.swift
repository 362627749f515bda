import Foundation
import Testing
@testable import StorefrontApp

/// API.md, Orders: POST /api/v1/orders, grouped by status.
@Suite struct OrdersCreateTests {
    @Test func create201SnapshotsPricesTakesStockAndReplaysWithTheSameKey() async throws {
        try await withOrdersApp { api in
            let (userID, access) = try await api.customer("buyer@example.com")
            let mug = try await api.product("MUG-1", priceCents: 1_250, stock: 10, name: "Mug \"classic\"")
            let tea = try await api.product("TEA-1", priceCents: 499, stock: 3)
            let first = try await api.order([(mug, 2), (tea, 3)], bearer: access, key: "order-1")
            #expect(first.status == 201)
            let json = try RunningApp.json(first)
            let id = try #require(json["id"] as? String)
            #expect(first.header("Location") == "/api/v1/orders/\(id)")
            #expect(first.header("ETag") == "\"v1-\(id)\"")
            #expect(first.header("Cache-Control") == "no-store")
            #expect(json["user_id"] as? String == userID && json["status"] as? String == "pending")
            #expect(json["total_cents"] as? Int == 2 * 1_250 + 3 * 499 && json["currency"] as? String == "USD")
            #expect(json["version"] as? Int == 1)
            let items = try #require(json["items"] as? [[String: Any]])
            #expect(items.count == 2)
            #expect(items[0]["product_id"] as? String == mug && items[0]["sku"] as? String == "MUG-1")
            #expect(items[0]["name"] as? String == "Mug \"classic\"" && items[0]["unit_price_cents"] as? Int == 1_250)
            #expect(items[0]["quantity"] as? Int == 2 && items[0]["line_total_cents"] as? Int == 2_500)
            #expect(try await api.stock(mug) == 8)
            #expect(try await api.stock(tea) == 0)
            // The snapshot outlives the catalogue: a later price change does not alter the order.
            _ = try await api.db.query("UPDATE products SET price_cents = 1 WHERE id = $1::uuid", [mug])
            let replay = try await api.order([(mug, 2), (tea, 3)], bearer: access, key: "order-1")
            #expect(replay.status == 201 && replay.header("Idempotent-Replayed") == "true")
            #expect(replay.body == first.body && replay.header("Location") == first.header("Location"))
            // The replay names the body it carries: the original's strong ETag, not none.
            #expect(first.header("ETag") != nil && replay.header("ETag") == first.header("ETag"))
            #expect(try await api.count("SELECT count(*)::int AS n FROM orders") == 1)
            #expect(try await api.stock(mug) == 8)
        }
    }

    @Test func create201WithAKeyThatMayWriteOrders() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let key = try await api.createKey(access, scopes: ["orders:write"])
            let mug = try await api.product("MUG-1")
            #expect(try await api.order([(mug, 1)], apiKey: key.key).status == 201)
        }
    }

    @Test func create400WithoutAnIdempotencyKeyOrWithMalformedJSON() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let mug = try await api.product("MUG-1")
            let missing = try await api.order([(mug, 1)], bearer: access, key: nil)
            #expect(missing.status == 400 && errorCode(missing) == "BAD_REQUEST")
            let malformed = try await api.call("POST", "/api/v1/orders", body: #"{"items":["#, bearer: access,
                                               headers: ["Idempotency-Key: m"])
            #expect(malformed.status == 400)
            #expect(try await api.stock(mug) == 10)
        }
    }

    @Test func create401And403() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let readOnly = try await api.createKey(access, scopes: ["orders:read"])
            let mug = try await api.product("MUG-1")
            #expect(try await api.order([(mug, 1)]).status == 401)
            #expect(try await api.order([(mug, 1)], apiKey: readOnly.key).status == 403)
        }
    }

    /// Every short line is named, and a failed order takes nothing, not even the lines that fit.
    @Test func create409NamesEachShortLineAndTakesNothing() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let plenty = try await api.product("PLENTY-1", stock: 100)
            let few = try await api.product("FEW-1", stock: 2)
            let none = try await api.product("NONE-1", stock: 0)
            let response = try await api.order([(plenty, 5), (few, 3), (none, 1)], bearer: access)
            #expect(response.status == 409 && errorCode(response) == "INSUFFICIENT_STOCK")
            #expect(errorDetails(response).map(\.field) == ["items[1].quantity", "items[2].quantity"])
            #expect(errorDetails(response).first?.issue.contains("only 2 of FEW-1") == true)
            #expect(try await api.stock(plenty) == 100)
            #expect(try await api.stock(few) == 2)
            #expect(try await api.count("SELECT count(*)::int AS n FROM orders") == 0)
        }
    }

    static let unknownID = "00000000-0000-4000-8000-000000000000"
    /// Bodies refused with 422; `$P` is a product in stock, `$D` a deleted one, `$E` one in EUR.
    static let create422Rows: [(body: String, field: String)] = [
        (#"{}"#, "items"),
        (#"{"items":[]}"#, "items"),
        (#"{"items":{}}"#, "items"),
        (#"{"items":[1]}"#, "items[0]"),
        (#"{"items":[{"product_id":"$P"}]}"#, "items[0].quantity"),
        (#"{"items":[{"quantity":1}]}"#, "items[0].product_id"),
        (#"{"items":[{"product_id":"$P","quantity":0}]}"#, "items[0].quantity"),
        (#"{"items":[{"product_id":"$P","quantity":-1}]}"#, "items[0].quantity"),
        (#"{"items":[{"product_id":"$P","quantity":1001}]}"#, "items[0].quantity"),
        (#"{"items":[{"product_id":"$P","quantity":1.5}]}"#, "items[0].quantity"),
        (#"{"items":[{"product_id":"$P","quantity":1e2}]}"#, "items[0].quantity"),
        (#"{"items":[{"product_id":"$P","quantity":"2"}]}"#, "items[0].quantity"),
        (#"{"items":[{"product_id":"$P","quantity":99999999999999999999999999}]}"#, "items[0].quantity"),
        (#"{"items":[{"product_id":"$P","quantity":-9223372036854775809}]}"#, "items[0].quantity"),
        (#"{"items":[{"product_id":"not-a-uuid","quantity":1}]}"#, "items[0].product_id"),
        (#"{"items":[{"product_id":42,"quantity":1}]}"#, "items[0].product_id"),
        (#"{"items":[{"product_id":"$P","quantity":1},{"product_id":"$P","quantity":2}]}"#, "items[1].product_id"),
        (#"{"items":[{"product_id":"\#(unknownID)","quantity":1}]}"#, "items[0].product_id"),
        (#"{"items":[{"product_id":"$D","quantity":1}]}"#, "items[0].product_id"),
        (#"{"items":[{"product_id":"$P","quantity":1},{"product_id":"$E","quantity":1}]}"#, "items[0].product_id"),
        ("{\"items\":[" + (0..<51).map { _ in #"{"product_id":"$P","quantity":1}"# }.joined(separator: ",") + "]}", "items"),
    ]

    @Test func create422() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let product = try await api.product("P-1", stock: 5)
            let deleted = try await api.product("D-1", stock: 5)
            _ = try await api.db.query("UPDATE products SET deleted_at = now() WHERE id = $1::uuid", [deleted])
            let euro = try await api.product("E-1", stock: 5, currency: "EUR")
            for (index, row) in OrdersCreateTests.create422Rows.enumerated() {
                let body = row.body.replacingOccurrences(of: "$P", with: product)
                    .replacingOccurrences(of: "$D", with: deleted).replacingOccurrences(of: "$E", with: euro)
                let response = try await api.call("POST", "/api/v1/orders", body: body, bearer: access,
                                                  headers: ["Idempotency-Key: row-\(index)"])
                #expect(response.status == 422, "row \(index): \(response.bodyText)")
                #expect(errorCode(response) == "VALIDATION_ERROR", "row \(index)")
                #expect(errorDetails(response).map(\.field).contains(row.field), "row \(index): \(response.bodyText)")
            }
            #expect(try await api.stock(product) == 5)
            #expect(try await api.stock(euro) == 5)
            #expect(try await api.count("SELECT count(*)::int AS n FROM orders") == 0)
        }
    }

    @Test func create422WhenTheKeyIsReusedWithAnotherBody() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let mug = try await api.product("MUG-1")
            #expect(try await api.order([(mug, 1)], bearer: access, key: "same").status == 201)
            let reused = try await api.order([(mug, 2)], bearer: access, key: "same")
            #expect(reused.status == 422 && errorCode(reused) == "IDEMPOTENCY_KEY_REUSED")
            #expect(try await api.stock(mug) == 9)
            // Keys are per caller: another customer's "same" is theirs alone.
            let (_, other) = try await api.customer("other@example.com")
            #expect(try await api.order([(mug, 2)], bearer: other, key: "same").status == 201)
        }
    }

    /// The 409 is the request's answer: replayed, and still nothing taken.
    @Test func aStoredInsufficientStockAnswerIsReplayed() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let few = try await api.product("FEW-1", stock: 1)
            let first = try await api.order([(few, 2)], bearer: access, key: "short")
            let again = try await api.order([(few, 2)], bearer: access, key: "short")
            #expect(first.status == 409 && again.status == 409 && again.header("Idempotent-Replayed") == "true")
            #expect(again.body == first.body)
            #expect(try await api.stock(few) == 1)
        }
    }
}

/// Totals are summed with overflow checks: a 422, never a trap.
@Suite struct OrderPricingTests {
    @Test func mixedCurrenciesAndOverflowsAreIssuesNotTraps() throws {
        let usd = try #require(CurrencyCode("USD"))
        let eur = try #require(CurrencyCode("EUR"))
        func product(_ currency: CurrencyCode, cents: Int64) throws -> StockedProduct {
            StockedProduct(id: UUID(), sku: try #require(Sku("SKU-1")), name: "x",
                           price: try #require(Money(cents: cents, currency: currency)), stock: 1)
        }
        let a = try product(usd, cents: 10)
        let b = try product(eur, cents: 10)
        let mixed = OrderDraft.priced(userID: UUID(), lines: [OrderLine(productID: a.id, quantity: 1),
                                                             OrderLine(productID: b.id, quantity: 1)],
                                      products: [a.id: a, b.id: b])
        guard case .failure(.invalidLines(let issues)) = mixed else { Issue.record("mixed currencies must fail"); return }
        #expect(issues.count == 2)
        let many = try (0..<50).map { _ in try product(usd, cents: Money.centsRange.upperBound) }
        let lines = many.map { OrderLine(productID: $0.id, quantity: OrderLine.quantityRange.upperBound) }
        let draft = try OrderDraft.priced(userID: UUID(), lines: lines,
                                          products: Dictionary(uniqueKeysWithValues: many.map { ($0.id, $0) })).get()
        // The largest order the bounds allow still fits, far from Int64.max.
        #expect(draft.totalCents == 50 * 1_000 * Money.centsRange.upperBound)
    }
}
