import Foundation
import Testing
@testable import StorefrontApp

/// API.md, Orders: cancel and the admin's status changes, grouped by status; the state
/// machine as the database enforces it.
@Suite struct OrdersStateTests {
    @Test func cancel200ReturnsTheStockOnceAnd409Afterwards() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let mug = try await api.product("MUG-1", stock: 10)
            let id = try #require(try await api.placed([(mug, 3)], bearer: access)["id"] as? String)
            #expect(try await api.stock(mug) == 7)
            let cancelled = try await api.call("POST", "/api/v1/orders/\(id)/cancel", bearer: access)
            #expect(cancelled.status == 200 && cancelled.header("ETag") == "\"v2-\(id)\"")
            let json = try RunningApp.json(cancelled)
            #expect(json["status"] as? String == "cancelled" && json["version"] as? Int == 2)
            #expect(try await api.stock(mug) == 10)
            let again = try await api.call("POST", "/api/v1/orders/\(id)/cancel", bearer: access)
            #expect(again.status == 409 && errorCode(again) == "INVALID_STATE")
            #expect(try await api.stock(mug) == 10)
        }
    }

    @Test func cancel404ForStrangersAnd200ForAdmins() async throws {
        try await withOrdersApp { api in
            let (_, owner) = try await api.customer("owner@example.com")
            let (_, stranger) = try await api.customer("stranger@example.com")
            let admin = try await api.admin()
            let mug = try await api.product("MUG-1", stock: 10)
            let id = try #require(try await api.placed([(mug, 1)], bearer: owner)["id"] as? String)
            #expect(try await api.call("POST", "/api/v1/orders/\(id)/cancel", bearer: stranger).status == 404)
            #expect(try await api.call("POST", "/api/v1/orders/nope/cancel", bearer: owner).status == 404)
            #expect(try await api.call("POST", "/api/v1/orders/\(id)/cancel", bearer: admin.access).status == 200)
            #expect(try await api.stock(mug) == 10)
        }
    }

    @Test func patchWalksTheMachineWithVersionsAndRefusesOtherMoves() async throws {
        try await withOrdersApp { api in
            let order = try await api.pendingOrder(quantity: 2)
            let (id, access, admin, mug) = (order.id, order.customer, order.admin, order.product)
            let path = "/api/v1/orders/\(id)"
            let forbidden = try await api.call("PATCH", path, body: #"{"status":"paid"}"#, bearer: access)
            #expect(forbidden.status == 403)
            let skip = try await api.call("PATCH", path, body: #"{"status":"shipped"}"#, bearer: admin)
            #expect(skip.status == 409 && errorCode(skip) == "INVALID_STATE")
            for (index, status) in ["paid", "shipped", "delivered"].enumerated() {
                let response = try await api.call("PATCH", path, body: #"{"status":"\#(status)"}"#, bearer: admin,
                                                  headers: ["If-Match: \"v\(index + 1)-\(id)\""],
                                                  contentType: "application/merge-patch+json")
                #expect(response.status == 200, "\(status): \(response.bodyText)")
                #expect(response.header("ETag") == "\"v\(index + 2)-\(id)\"")
            }
            let refusals: [(String, Int, String?)] = [
                (#"{"status":"cancelled"}"#, 409, "INVALID_STATE"),
                (#"{"status":"pending"}"#, 409, "INVALID_STATE"),
                (#"{"status":"lost"}"#, 422, "VALIDATION_ERROR"),
                (#"{"status":7}"#, 422, "VALIDATION_ERROR"),
                (#"{}"#, 422, "VALIDATION_ERROR"),
            ]
            for (body, status, code) in refusals {
                let response = try await api.call("PATCH", path, body: body, bearer: admin)
                #expect(response.status == status && errorCode(response) == code, "\(body): \(response.bodyText)")
            }
            // Delivered orders keep their stock taken.
            #expect(try await api.stock(mug) == 8)
        }
    }

    @Test func patch412ForAStaleIfMatchAnd400ForAMalformedOne() async throws {
        try await withOrdersApp { api in
            let order = try await api.pendingOrder(quantity: 2)
            let (id, admin, mug) = (order.id, order.admin, order.product)
            let path = "/api/v1/orders/\(id)"
            let cases: [(String, Int)] = [
                ("If-Match: \"v9-\(id)\"", 412), ("If-Match: W/\"v1-\(id)\"", 412),
                ("If-Match: \"v1-\(UUID().uuidString.lowercased())\"", 412), ("If-Match: v1", 400),
            ]
            for (header, status) in cases {
                let response = try await api.call("PATCH", path, body: #"{"status":"paid"}"#, bearer: admin,
                                                  headers: [header])
                #expect(response.status == status, "\(header): \(response.bodyText)")
            }
            let version = try #require(try await api.db.query("SELECT version FROM orders").rows.first)
                .decode("version", as: Int.self)
            #expect(version == 1)
            let any = try await api.call("PATCH", path, body: #"{"status":"cancelled"}"#, bearer: admin,
                                         headers: ["If-Match: *"])
            #expect(any.status == 200)
            // Cancelling through PATCH returns the stock like the cancel endpoint.
            #expect(try await api.stock(mug) == 10)
        }
    }

    @Test func cancel409AfterShipping() async throws {
        try await withOrdersApp { api in
            let order = try await api.pendingOrder(quantity: 2)
            let (id, access, admin, mug) = (order.id, order.customer, order.admin, order.product)
            for status in ["paid", "shipped"] {
                #expect(try await api.call("PATCH", "/api/v1/orders/\(id)", body: #"{"status":"\#(status)"}"#,
                                           bearer: admin).status == 200)
            }
            let response = try await api.call("POST", "/api/v1/orders/\(id)/cancel", bearer: access)
            #expect(response.status == 409 && errorCode(response) == "INVALID_STATE")
            #expect(try await api.stock(mug) == 8)
        }
    }

    /// The trigger and the CHECK refuse what the service would: a script cannot bypass the machine.
    @Test func theDatabaseRefusesMovesTheMachineDoesNotAllow() async throws {
        try await withOrdersApp { api in
            let (_, access) = try await api.customer("k@example.com")
            let mug = try await api.product("MUG-1", stock: 10)
            let id = try #require(try await api.placed([(mug, 1)], bearer: access)["id"] as? String)
            for status in ["shipped", "delivered", "lost"] {
                await #expect(throws: (any Error).self, "\(status)") {
                    _ = try await api.db.query("UPDATE orders SET status = $2 WHERE id = $1::uuid", [id, status])
                }
            }
            _ = try await api.db.query("UPDATE orders SET status = 'paid' WHERE id = $1::uuid", [id])
            _ = try await api.db.query("UPDATE orders SET status = 'cancelled' WHERE id = $1::uuid", [id])
            await #expect(throws: (any Error).self) {
                _ = try await api.db.query("UPDATE orders SET status = 'pending' WHERE id = $1::uuid", [id])
            }
            await #expect(throws: (any Error).self) {
                _ = try await api.db.query("UPDATE products SET stock = -1 WHERE id = $1::uuid", [mug])
            }
        }
    }
}
