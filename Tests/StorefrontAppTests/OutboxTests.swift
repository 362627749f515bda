import Foundation
import Postgres
import TestSupport
import Testing
@testable import StorefrontApp

/// The transactional outbox through the API (API.md, Webhooks): a committed change writes
/// exactly one event with its `event.published` job, a failed or rolled-back one none, and
/// the event's `data` is the resource byte for byte as the API answered.
@Suite struct OutboxTests {
    struct Event {
        let id: UUID
        let type: String
        let data: String
    }

    static func events(_ api: IdentityApp) async throws -> [Event] {
        try await api.db.query("SELECT id, type, data::text AS data FROM events ORDER BY created_at, type").rows.map {
            Event(id: try $0.decode("id"), type: try $0.decode("type"), data: try $0.decode("data"))
        }
    }

    /// The event ids the `event.published` jobs name, one per job.
    static func publishedEventIDs(_ api: IdentityApp) async throws -> [UUID] {
        try await api.db.query("SELECT (payload->>'event_id')::uuid AS id FROM jobs WHERE kind = 'event.published'").rows
            .map { try $0.decode("id") }
    }

    static func expectOneJobPerEvent(_ api: IdentityApp) async throws {
        let events = try await OutboxTests.events(api)
        let published = try await publishedEventIDs(api)
        #expect(published.count == events.count)
        #expect(Set(published) == Set(events.map(\.id)))
    }

    @Test func productChangesWriteOneEventEachWithTheResourceAsTheAPIRendersIt() async throws {
        try await withCatalog { catalog in
            let api = catalog.api
            let name = #"Mug \"deluxe\" \\ ünïcode"#
            let created = try await api.call("POST", "/api/v1/products",
                                             body: #"{"sku":"MUG-1","name":"\#(name)","price_cents":1200,"stock":3}"#,
                                             bearer: catalog.admin)
            #expect(created.status == 201)
            let id = try #require(try RunningApp.json(created)["id"] as? String)
            let patched = try await api.call("PATCH", "/api/v1/products/\(id)", body: #"{"stock":9}"#,
                                             bearer: catalog.admin, contentType: "application/merge-patch+json")
            #expect(patched.status == 200)
            let deleted = try await api.call("DELETE", "/api/v1/products/\(id)", bearer: catalog.admin)
            #expect(deleted.status == 204)
            let events = try await OutboxTests.events(api)
            #expect(events.map(\.type) == ["product.created", "product.updated", "product.deleted"])
            #expect(events.first?.data == created.bodyText)
            #expect(events.dropFirst().first?.data == patched.bodyText)
            try await OutboxTests.expectOneJobPerEvent(api)
        }
    }

    @Test func refusedProductChangesWriteNoEvent() async throws {
        try await withCatalog { catalog in
            let api = catalog.api
            let product = try await catalog.create(sku: "LAMP-1")
            let id = try #require(product.string("id"))
            let before = try await OutboxTests.events(api).count
            let refused: [(String, String, String?, [String], Int)] = [
                ("POST", "/api/v1/products", #"{"sku":"LAMP-1","name":"Twin","price_cents":1,"stock":1}"#, [], 409),
                ("PATCH", "/api/v1/products/\(id)", #"{"stock":1}"#, [#"If-Match: "v99-\#(id)""#], 412),
                ("PUT", "/api/v1/products/\(id)", #"{"sku":"LAMP-1","name":"x","price_cents":-5,"stock":1}"#, [], 422),
                ("DELETE", "/api/v1/products/\(UUID().uuidString.lowercased())", nil, [], 404),
            ]
            for (method, path, body, headers, status) in refused {
                let response = try await api.call(method, path, body: body, bearer: catalog.admin, headers: headers,
                                                  contentType: method == "PATCH" ? "application/merge-patch+json" : "application/json")
                #expect(response.status == status, "\(method) \(path): \(response.bodyText)")
            }
            #expect(try await OutboxTests.events(api).count == before)
            try await OutboxTests.expectOneJobPerEvent(api)
        }
    }

    @Test func aPlacedOrderWritesOrderCreatedAndTheStockChangeOfEachProduct() async throws {
        try await withOrdersApp { api in
            let (_, customer) = try await api.customer("buyer@example.com")
            let mug = try await api.product("MUG-1", stock: 5)
            let cup = try await api.product("CUP-1", stock: 5)
            let response = try await api.order([(mug, 2), (cup, 1)], bearer: customer)
            #expect(response.status == 201)
            let events = try await OutboxTests.events(api)
            #expect(events.filter { $0.type == "order.created" }.map(\.data) == [response.bodyText])
            let updates = events.filter { $0.type == "product.updated" }
            let shown = try updates.map { try #require(try JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any]) }
            #expect(Set(shown.compactMap { $0["id"] as? String }) == [mug, cup])
            #expect(shown.allSatisfy { ($0["version"] as? Int) == 2 })
            #expect(Set(shown.compactMap { $0["stock"] as? Int }) == [3, 4])
            try await OutboxTests.expectOneJobPerEvent(api)
        }
    }

    @Test func anOrderRefusedForShortStockWritesNoEvent() async throws {
        try await withOrdersApp { api in
            let (_, customer) = try await api.customer("buyer@example.com")
            let mug = try await api.product("MUG-1", stock: 1)
            let cup = try await api.product("CUP-1", stock: 5)
            let response = try await api.order([(cup, 1), (mug, 2)], bearer: customer)
            #expect(response.status == 409)
            #expect(try await OutboxTests.events(api).isEmpty)
            #expect(try await api.count("SELECT count(*)::int AS n FROM jobs") == 0)
            #expect(try await api.stock(cup) == 5)
        }
    }

    @Test func aReplayedIdempotentOrderWritesItsEventOnce() async throws {
        try await withOrdersApp { api in
            let (_, customer) = try await api.customer("buyer@example.com")
            let mug = try await api.product("MUG-1", stock: 5)
            let first = try await api.order([(mug, 1)], bearer: customer, key: "same-key")
            let again = try await api.order([(mug, 1)], bearer: customer, key: "same-key")
            #expect(first.status == 201 && again.status == 201)
            #expect(try await OutboxTests.events(api).map(\.type).sorted() == ["order.created", "product.updated"])
            try await OutboxTests.expectOneJobPerEvent(api)
        }
    }

    @Test func everyStatusChangeAndACancelAnnounceThemselves() async throws {
        try await withOrdersApp { api in
            let order = try await api.pendingOrder(quantity: 2)
            let paid = try await api.call("PATCH", "/api/v1/orders/\(order.id)", body: #"{"status":"paid"}"#,
                                          bearer: order.admin, contentType: "application/merge-patch+json")
            #expect(paid.status == 200)
            let cancelled = try await api.call("POST", "/api/v1/orders/\(order.id)/cancel", bearer: order.customer)
            #expect(cancelled.status == 200)
            let types = try await OutboxTests.events(api).map(\.type)
            #expect(types.filter { $0.hasPrefix("order.") } == ["order.created", "order.paid", "order.cancelled"])
            // Taking the stock and giving it back each changed the product.
            #expect(types.filter { $0 == "product.updated" }.count == 2)
            let last = try #require(try await OutboxTests.events(api).last { $0.type == "order.cancelled" })
            #expect(last.data == cancelled.bodyText)
            try await OutboxTests.expectOneJobPerEvent(api)
        }
    }

    /// The hourly purge (`periodic.purge-events`): old events whose fan-out finished go;
    /// an old one still waiting for its fan-out stays, and so does everything recent.
    @Test func thePurgeDeletesOldFannedOutEventsOnly() async throws {
        try await withIdentityApp(environment: ["WORKERS_ENABLED": "false"]) { api in
            let admin = try await api.admin().access
            for sku in ["OLD-DONE", "OLD-WAITING", "NEW-DONE", "OLD-DEAD"] {
                let created = try await api.call("POST", "/api/v1/products",
                                                 body: #"{"sku":"\#(sku)","name":"n","price_cents":1,"stock":1}"#,
                                                 bearer: admin)
                #expect(created.status == 201)
            }
            let events = try await OutboxTests.events(api).map(\.id)
            #expect(events.count == 4)
            let (oldDone, oldWaiting, newDone, oldDead) = (events[0], events[1], events[2], events[3])
            _ = try await api.db.query("UPDATE events SET created_at = now() - make_interval(days => 31) WHERE id = ANY($1)",
                                       [[oldDone, oldWaiting, oldDead]])
            _ = try await api.db.query("""
                UPDATE jobs SET state = CASE WHEN payload->>'event_id' = $2::text THEN 'dead' ELSE 'done' END
                WHERE kind = 'event.published' AND (payload->>'event_id')::uuid = ANY($1)
                """, [[oldDone, newDone, oldDead], oldDead])
            let purged = try await api.app.application.domains.outbox.purge(olderThanDays: 30)
            #expect(purged == 2)
            #expect(Set(try await OutboxTests.events(api).map(\.id)) == [oldWaiting, newDone])
            // Nothing left to purge: a second run deletes nothing.
            #expect(try await api.app.application.domains.outbox.purge(olderThanDays: 30) == 0)
        }
    }

    @Test func theDeliveryBodyCarriesTheStoredDataAsIsAndAMillisecondTimestamp() throws {
        let event = OutboxEvent(id: try #require(UUID(uuidString: "0b6f3c7e-34c4-4a53-9d1e-2f1f4a0c9a11")),
                                type: "product.updated", data: #"{"b":1,"a":[true,null]}"#,
                                createdAt: Date(timeIntervalSince1970: 1_764_547_200.1235))
        #expect(String(decoding: event.body, as: UTF8.self) == #"""
            {"id":"0b6f3c7e-34c4-4a53-9d1e-2f1f4a0c9a11","type":"product.updated","created_at":"2025-12-01T00:00:00.123Z","data":{"b":1,"a":[true,null]}}
            """#)
    }
}
