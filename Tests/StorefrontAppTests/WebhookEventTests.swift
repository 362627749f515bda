import Foundation
import ReceiverTestSupport
import Testing
import TestSupport
@testable import StorefrontApp

/// Webhooks end to end with the workers running: a change commits with its event, the
/// fan-out makes the deliveries, the deliverer sends them signed.
@Suite struct WebhookEventTests {
    /// Workers on, and a pool they cannot crowd the API out of when the machine is loaded
    /// (every API call here must answer within the test client's 10 s).
    static let workers = ["WORKERS_ENABLED": "true", "WORKER_CONCURRENCY": "4", "DB_POOL_SIZE": "6",
                          "WEBHOOK_RETRY_BASE_S": "1", "WEBHOOK_RETRY_MAX_S": "1"]

    /// Every event type of API.md arrives, signed, with the resource as the API returns
    /// it; an endpoint subscribed to one type gets only that one.
    @Test func everyEventTypeArrivesSignedEndToEnd() async throws {
        try await withWebhooks(environment: WebhookEventTests.workers) { hooks in
            let all = try TestServer { _ in .text(ok) }
            let paidOnly = try TestServer { _ in .text(ok) }
            defer { all.stop(); paidOnly.stop() }
            let secret = try #require(try await hooks.subscribe(all.url + "/all").string("secret"))
            let paidSecret = try #require(try await hooks.subscribe(paidOnly.url, events: ["order.paid"]).string("secret"))
            let api = hooks.api
            let created = try RunningApp.json(try await api.call("POST", "/api/v1/products", body: #"{"sku":"HOOK-1","name":"Hook","price_cents":500,"stock":9}"#,
                bearer: hooks.admin))
            let product = created.id
            _ = try await api.call("PATCH", "/api/v1/products/\(product)", body: #"{"name":"Hook 2"}"#, bearer: hooks.admin)
            let customer = try await api.customer("buyer@example.com").access
            let order = try await api.placed([(product, 1)], bearer: customer).id
            for next in ["paid", "shipped", "delivered"] {
                let moved = try await api.call("PATCH", "/api/v1/orders/\(order)", body: #"{"status":"\#(next)"}"#,
                                               bearer: hooks.admin)
                #expect(moved.status == 200, "\(next): \(moved.bodyText)")
            }
            let second = try await api.placed([(product, 1)], bearer: customer).id
            #expect(try await api.call("POST", "/api/v1/orders/\(second)/cancel", bearer: customer).status == 200)
            let other = try RunningApp.json(try await api.call("POST", "/api/v1/products", body: #"{"sku":"HOOK-2","name":"Gone","price_cents":1,"stock":1}"#,
                bearer: hooks.admin)).id
            #expect(try await api.call("DELETE", "/api/v1/products/\(other)", bearer: hooks.admin).status == 204)

            let expected: Set<String> = ["product.created", "product.updated", "product.deleted", "order.created",
                                         "order.paid", "order.shipped", "order.delivered", "order.cancelled"]
            let arrived = await eventually(within: .seconds(60)) {
                Set(all.requests.map { ReceivedRequest($0).json.string("type") ?? "" }).isSuperset(of: expected)
            }
            #expect(arrived, "\(all.requests.map { ReceivedRequest($0).json.string("type") ?? "" })")
            for raw in all.requests {
                let request = ReceivedRequest(raw)
                #expect(try request.signers(among: [secret]) == [secret])
                #expect(request.headers["webhook-id"] == request.json.id)
            }
            let orderCreated = all.requests.map(ReceivedRequest.init).first { $0.json.string("type") == "order.created" }
            #expect((orderCreated?.json["data"] as? [String: Any])?.id == order)
            let deleted = all.requests.map(ReceivedRequest.init).first { $0.json.string("type") == "product.deleted" }
            #expect((deleted?.json["data"] as? [String: Any])?.id == other)
            #expect(await eventually(within: .seconds(60)) { paidOnly.requests.count == 1 })
            let paid = ReceivedRequest(try #require(paidOnly.requests.first))
            #expect(paid.json.string("type") == "order.paid")
            #expect(try paid.signers(among: [paidSecret]) == [paidSecret])
            // Nothing else is on its way to the filtered endpoint.
            let pendingForPaid: Int = try await api.db.query("""
                SELECT count(*) AS n FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE e.url = $1
                """, [paidOnly.url]).rows[0].decode("n")
            #expect(pendingForPaid == 1)
        }
    }

    /// An order refused for stock writes no event, so nothing is delivered; the same order
    /// with stock does (the check can fail).
    @Test func aFailedOrderYieldsNoEventAndNoDelivery() async throws {
        try await withWebhooks(environment: WebhookEventTests.workers) { hooks in
            let receiver = try TestServer { _ in .text(ok) }
            defer { receiver.stop() }
            _ = try await hooks.subscribe(receiver.url, events: ["order.created"])
            let api = hooks.api
            let product = try await api.product("SCARCE-1", stock: 1)
            let customer = try await api.customer("c@example.com").access
            let refused = try await api.order([(product, 2)], bearer: customer)
            #expect(refused.status == 409)
            #expect(try await api.count("SELECT count(*) AS n FROM events") == 0)
            #expect(try await api.count("SELECT count(*) AS n FROM webhook_deliveries") == 0)
            _ = try await api.placed([(product, 1)], bearer: customer)
            #expect(await eventually(within: .seconds(60)) { receiver.requests.count == 1 })
            #expect(try await api.count("SELECT count(*) AS n FROM events WHERE type = 'order.created'") == 1)
        }
    }

    /// A receiver that never answers holds one attempt in flight; another endpoint's
    /// delivery of the same event and API requests go on meanwhile.
    @Test func aHangingEndpointDelaysNeitherAHealthyOneNorTheAPI() async throws {
        try await withWebhooks(environment: WebhookEventTests.workers.merging(["WEBHOOK_TIMEOUT_MS": "600000"]) { $1 }) { hooks in
            let hanging = try TestServer { _ in .hang }
            let healthy = try TestServer { _ in .text(ok) }
            defer { hanging.stop(); healthy.stop() }
            let hangingID = try await hooks.subscribe(hanging.url).id
            let healthyID = try await hooks.subscribe(healthy.url).id
            let product = try await hooks.api.call("POST", "/api/v1/products", body: #"{"sku":"SLOW-1","name":"Slow","price_cents":1,"stock":1}"#,
                                                   bearer: hooks.admin)
            #expect(product.status == 201)
            #expect(await eventually(within: .seconds(60)) { hanging.requests.count == 1 && healthy.requests.count == 1 })
            #expect(await eventually(within: .seconds(60)) {
                let list = try? await hooks.api.call("GET", "/api/v1/webhooks/\(healthyID)/deliveries", bearer: hooks.admin)
                let data = list.flatMap { try? RunningApp.json($0)["data"] as? [[String: Any]] } ?? []
                return data.first?.string("status") == "succeeded"
            })
            // The hanging attempt is still out, and the API answers.
            let stuck = try RunningApp.json(try await hooks.api.call("GET", "/api/v1/webhooks/\(hangingID)/deliveries",
                                                                     bearer: hooks.admin))
            #expect((stuck["data"] as? [[String: Any]])?.first?.string("status") == "pending")
            #expect(try await hooks.api.call("GET", "/api/v1/products").status == 200)
            #expect(try await hooks.api.call("GET", "/api/v1/webhooks", bearer: hooks.admin).status == 200)
        }
    }
}
