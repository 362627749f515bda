import Foundation
import HTTPTestSupport
import Testing
@testable import StorefrontApp

/// API.md, Webhooks: every row of the endpoint table, its 422s, 404s, 401s and 403s.
@Suite struct WebhooksAPITests {
    static let receiver = "http://127.0.0.1:9/hook"

    @Test func createAnswers201WithLocationAndAOneTimeSecret() async throws {
        try await withWebhooks { hooks in
            let response = try await hooks.api.call("POST", "/api/v1/webhooks", body: #"{"url":"https://127.0.0.1:9/in","events":["order.created","product.deleted"],"description":"ERP"}"#,
                bearer: hooks.admin)
            #expect(response.status == 201)
            let json = try RunningApp.json(response)
            #expect(response.header("Location") == "/api/v1/webhooks/\(json.id)")
            #expect(response.header("Cache-Control") == "no-store")
            let secret = try #require(json.string("secret"))
            #expect(secret.hasPrefix("whsec_"))
            #expect(Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
            #expect(json["events"] as? [String] == ["order.created", "product.deleted"])
            #expect(json.string("description") == "ERP")
            #expect(json["enabled"] as? Bool == true)
            #expect(json.string("circuit") == "closed")
            let read = try await hooks.endpoint(json.id)
            #expect(read["secret"] == nil)
            #expect(read.string("url") == "https://127.0.0.1:9/in")
        }
    }

    @Test(arguments: [
        (#"{"url":"ftp://example.com/x","events":["*"]}"#, ["url"]),
        (#"{"url":"example.com/x","events":["*"]}"#, ["url"]),
        (#"{"url":"https://user:pw@127.0.0.1/x","events":["*"]}"#, ["url"]),
        (#"{"url":"https://127.0.0.1/\#(String(repeating: "a", count: 2040))","events":["*"]}"#, ["url"]),
        (#"{"url":"https://bad host/x","events":["*"]}"#, ["url"]),
        (#"{"url":"https://127.0.0.1:99999/x","events":["*"]}"#, ["url"]),
        (#"{"url":42,"events":["*"]}"#, ["url"]),
        (#"{"events":["*"]}"#, ["url"]),
        (#"{"url":"https://127.0.0.1/x","events":[]}"#, ["events"]),
        (#"{"url":"https://127.0.0.1/x","events":["order.refunded"]}"#, ["events[0]"]),
        (#"{"url":"https://127.0.0.1/x","events":["*","order.paid"]}"#, ["events"]),
        (#"{"url":"https://127.0.0.1/x","events":["order.paid","order.paid"]}"#, ["events[1]"]),
        (#"{"url":"https://127.0.0.1/x","events":"order.paid"}"#, ["events"]),
        (#"{"url":"https://127.0.0.1/x"}"#, ["events"]),
        (#"{"url":"https://127.0.0.1/x","events":["*"],"description":"\#(String(repeating: "d", count: 501))"}"#,
         ["description"]),
        (#"{"url":"nope","events":[],"description":7}"#, ["url", "events", "description"]),
    ])
    func createRefusesEveryBadField(body: String, fields: [String]) async throws {
        try await withWebhooks { hooks in
            let response = try await hooks.api.call("POST", "/api/v1/webhooks", body: body, bearer: hooks.admin)
            #expect(response.status == 422, "\(body)")
            #expect(issueFields(response) == fields, "\(response.bodyText)")
        }
    }

    @Test func plainHTTPIsRefusedUnlessAllowed() async throws {
        try await withWebhooks(environment: ["WEBHOOK_ALLOW_HTTP": "false"]) { hooks in
            let response = try await hooks.api.call("POST", "/api/v1/webhooks", body: #"{"url":"http://127.0.0.1:9/x","events":["*"]}"#,
                                                    bearer: hooks.admin)
            #expect(response.status == 422)
            #expect(response.bodyText.contains("https://"))
        }
    }

    /// With WEBHOOK_ALLOW_PRIVATE=false (production's default), hosts that are or resolve
    /// to such addresses are refused; `localhost` is a name resolving to 127.0.0.1. Nothing
    /// is ever connected to: the check is at registration.
    @Test(arguments: ["https://127.0.0.1/x", "https://localhost/x", "https://LOCALHOST:8443/x", "https://10.1.2.3/x",
                      "https://192.168.0.10/x", "https://172.16.5.4/x", "https://169.254.169.254/latest",
                      "https://[::1]/x", "https://[fe80::1]/x", "https://224.0.0.1/x", "https://0.0.0.0/x",
                      "https://[::ffff:127.0.0.1]/x", "https://100.64.0.1/x"])
    func privateDestinationsAreRefused(url: String) async throws {
        try await withWebhooks(environment: ["WEBHOOK_ALLOW_PRIVATE": "false"]) { hooks in
            let response = try await hooks.api.call("POST", "/api/v1/webhooks", body: #"{"url":"\#(url)","events":["*"]}"#,
                                                    bearer: hooks.admin)
            #expect(response.status == 422, "\(url)")
            #expect(issueFields(response) == ["url"])
            #expect(response.bodyText.contains("private"), "\(response.bodyText)")
            let listed = try await hooks.api.call("GET", "/api/v1/webhooks", bearer: hooks.admin)
            #expect((try RunningApp.json(listed)["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func listPagesOldestFirst() async throws {
        try await withWebhooks { hooks in
            var ids: [String] = []
            for index in 0..<3 { ids.append(try await hooks.subscribe("http://127.0.0.1:9/\(index)").id) }
            let first = try await hooks.api.call("GET", "/api/v1/webhooks?limit=2", bearer: hooks.admin)
            let page = try RunningApp.json(first)
            #expect((page["data"] as? [[String: Any]])?.map(\.id) == Array(ids[0..<2]))
            #expect((page["data"] as? [[String: Any]])?.allSatisfy { $0["secret"] == nil } == true)
            let cursor = try #require((page["pagination"] as? [String: Any])?["next_cursor"] as? String)
            let second = try RunningApp.json(try await hooks.api.call("GET", "/api/v1/webhooks?limit=2&cursor=\(cursor)",
                                                                      bearer: hooks.admin))
            #expect((second["data"] as? [[String: Any]])?.map(\.id) == [ids[2]])
            let bad = try await hooks.api.call("GET", "/api/v1/webhooks?cursor=forged", bearer: hooks.admin)
            #expect(bad.status == 400)
            let badLimit = try await hooks.api.call("GET", "/api/v1/webhooks?limit=0", bearer: hooks.admin)
            #expect(badLimit.status == 422)
        }
    }

    @Test func patchMergesAndEnablingClosesTheCircuit() async throws {
        try await withWebhooks { hooks in
            let id = try await hooks.subscribe(WebhooksAPITests.receiver).id
            let patched = try await hooks.api.call("PATCH", "/api/v1/webhooks/\(id)", body: #"{"events":["order.paid"],"description":"x","enabled":false}"#,
                bearer: hooks.admin, contentType: "application/merge-patch+json")
            #expect(patched.status == 200)
            let json = try RunningApp.json(patched)
            #expect(json["events"] as? [String] == ["order.paid"])
            #expect(json["enabled"] as? Bool == false)
            #expect(json.string("url") == WebhooksAPITests.receiver)
            let cleared = try RunningApp.json(try await hooks.api.call("PATCH", "/api/v1/webhooks/\(id)",
                                                                       body: #"{"description":null}"#, bearer: hooks.admin))
            #expect(cleared["description"] is NSNull)
            _ = try await hooks.api.db.query("""
                UPDATE webhook_endpoints SET circuit_state = 'open', circuit_failures = 5, circuit_since = now()
                WHERE id = $1::uuid
                """, [id])
            #expect(try await hooks.endpoint(id).string("circuit") == "open")
            let enabled = try RunningApp.json(try await hooks.api.call("PATCH", "/api/v1/webhooks/\(id)",
                                                                       body: #"{"enabled":true}"#, bearer: hooks.admin))
            #expect(enabled.string("circuit") == "closed")
            #expect(enabled["enabled"] as? Bool == true)
        }
    }

    @Test(arguments: [
        (#"{"url":null}"#, ["url"]), (#"{"events":null}"#, ["events"]), (#"{"enabled":null}"#, ["enabled"]),
        (#"{"url":"ftp://x"}"#, ["url"]), (#"{"events":[]}"#, ["events"]), (#"{"enabled":"yes"}"#, ["enabled"]),
        (#"[1]"#, ["body"]),
    ])
    func patchRefusesBadFields(body: String, fields: [String]) async throws {
        try await withWebhooks { hooks in
            let id = try await hooks.subscribe(WebhooksAPITests.receiver).id
            let response = try await hooks.api.call("PATCH", "/api/v1/webhooks/\(id)", body: body, bearer: hooks.admin)
            #expect(response.status == 422, "\(body)")
            #expect(issueFields(response) == fields)
            #expect(try await hooks.endpoint(id).string("url") == WebhooksAPITests.receiver)
        }
    }

    @Test func deleteAnswers204AndDropsItsDeliveries() async throws {
        try await withWebhooks { hooks in
            let id = try await hooks.subscribe(WebhooksAPITests.receiver).id
            _ = try await hooks.ping(id)
            let deleted = try await hooks.api.call("DELETE", "/api/v1/webhooks/\(id)", bearer: hooks.admin)
            #expect(deleted.status == 204)
            let left: Int = try await hooks.api.db.query("SELECT count(*) AS n FROM webhook_deliveries", []).rows[0].decode("n")
            #expect(left == 0)
            #expect(try await hooks.api.call("GET", "/api/v1/webhooks/\(id)", bearer: hooks.admin).status == 404)
            #expect(try await hooks.api.call("DELETE", "/api/v1/webhooks/\(id)", bearer: hooks.admin).status == 404)
        }
    }

    @Test func rotateAnswers200WithANewSecretAndKeepsTheOldOneForADay() async throws {
        try await withWebhooks { hooks in
            let created = try await hooks.subscribe(WebhooksAPITests.receiver)
            let response = try await hooks.api.call("POST", "/api/v1/webhooks/\(created.id)/rotate-secret", bearer: hooks.admin)
            #expect(response.status == 200)
            #expect(response.header("Cache-Control") == "no-store")
            let rotated = try RunningApp.json(response)
            let secret = try #require(rotated.string("secret"))
            #expect(secret.hasPrefix("whsec_") && secret != created.string("secret"))
            let row = try await hooks.api.db.query("""
                SELECT previous_secret_expires_at - now() > interval '23 hours 59 minutes' AS day
                FROM webhook_endpoints WHERE id = $1::uuid
                """, [created.id]).rows[0]
            #expect(try row.decode("day", as: Bool.self))
        }
    }

    @Test func pingAnswers202WithThePendingDelivery() async throws {
        try await withWebhooks { hooks in
            let id = try await hooks.subscribe(WebhooksAPITests.receiver, events: ["order.paid"]).id
            let response = try await hooks.api.call("POST", "/api/v1/webhooks/\(id)/ping", bearer: hooks.admin)
            #expect(response.status == 202)
            let delivery = try RunningApp.json(response)
            #expect(delivery.string("event_type") == "webhook.ping")
            #expect(delivery.string("status") == "pending")
            #expect(delivery.int("attempts") == 0)
            #expect(delivery["last_error"] is NSNull)
            _ = try await hooks.api.call("PATCH", "/api/v1/webhooks/\(id)", body: #"{"enabled":false}"#, bearer: hooks.admin)
            let disabled = try await hooks.api.call("POST", "/api/v1/webhooks/\(id)/ping", bearer: hooks.admin)
            #expect(disabled.status == 409)
            #expect(errorCode(disabled) == "INVALID_STATE")
        }
    }

    @Test func deliveriesAreListedNewestFirstAndFilteredByStatus() async throws {
        try await withWebhooks { hooks in
            let id = try await hooks.subscribe(WebhooksAPITests.receiver).id
            var pings: [String] = []
            for _ in 0..<3 { pings.append(try await hooks.ping(id).uuidString.lowercased()) }
            _ = try await hooks.api.db.query("UPDATE webhook_deliveries SET status = 'dead' WHERE id = $1::uuid", [pings[1]])
            let first = try RunningApp.json(try await hooks.api.call("GET", "/api/v1/webhooks/\(id)/deliveries?limit=2",
                                                                     bearer: hooks.admin))
            #expect((first["data"] as? [[String: Any]])?.map(\.id) == [pings[2], pings[1]])
            let cursor = try #require((first["pagination"] as? [String: Any])?["next_cursor"] as? String)
            let second = try RunningApp.json(try await hooks.api.call(
                "GET", "/api/v1/webhooks/\(id)/deliveries?limit=2&cursor=\(cursor)", bearer: hooks.admin))
            #expect((second["data"] as? [[String: Any]])?.map(\.id) == [pings[0]])
            let dead = try RunningApp.json(try await hooks.api.call("GET", "/api/v1/webhooks/\(id)/deliveries?status=dead",
                                                                    bearer: hooks.admin))
            #expect((dead["data"] as? [[String: Any]])?.map(\.id) == [pings[1]])
            let bad = try await hooks.api.call("GET", "/api/v1/webhooks/\(id)/deliveries?status=lost", bearer: hooks.admin)
            #expect(bad.status == 422)
            #expect(issueFields(bad) == ["status"])
        }
    }

    @Test func redeliverRefusesPendingAndSucceededWith409() async throws {
        try await withWebhooks { hooks in
            let id = try await hooks.subscribe(WebhooksAPITests.receiver).id
            let delivery = try await hooks.ping(id)
            let path = "/api/v1/webhooks/\(id)/deliveries/\(delivery.uuidString.lowercased())/redeliver"
            for status in ["pending", "succeeded"] {
                _ = try await hooks.api.db.query("UPDATE webhook_deliveries SET status = $2 WHERE id = $1", [delivery, status])
                let response = try await hooks.api.call("POST", path, bearer: hooks.admin)
                #expect(response.status == 409, "\(status)")
                #expect(errorCode(response) == "INVALID_STATE")
            }
            _ = try await hooks.api.db.query("UPDATE webhook_deliveries SET status = 'dead', attempts = 10 WHERE id = $1",
                                             [delivery])
            let again = try await hooks.api.call("POST", path, bearer: hooks.admin)
            #expect(again.status == 202)
            #expect(try RunningApp.json(again).string("status") == "pending")
            #expect(try RunningApp.json(again).int("attempts") == 0)
        }
    }

    @Test func unknownOrMalformedIdsAre404() async throws {
        try await withWebhooks { hooks in
            let id = try await hooks.subscribe(WebhooksAPITests.receiver).id
            let other = try await hooks.subscribe(WebhooksAPITests.receiver).id
            let delivery = try await hooks.ping(other).uuidString.lowercased()
            let missing = UUID().uuidString.lowercased()
            let cases: [(String, String)] = [
                ("GET", "/api/v1/webhooks/\(missing)"), ("GET", "/api/v1/webhooks/not-a-uuid"),
                ("PATCH", "/api/v1/webhooks/\(missing)"), ("DELETE", "/api/v1/webhooks/\(missing)"),
                ("POST", "/api/v1/webhooks/\(missing)/rotate-secret"), ("POST", "/api/v1/webhooks/\(missing)/ping"),
                ("GET", "/api/v1/webhooks/\(missing)/deliveries"), ("GET", "/api/v1/webhooks/x/deliveries"),
                ("POST", "/api/v1/webhooks/\(id)/deliveries/\(missing)/redeliver"),
                ("POST", "/api/v1/webhooks/\(id)/deliveries/\(delivery)/redeliver"),
                ("POST", "/api/v1/webhooks/\(id)/deliveries/zzz/redeliver"),
            ]
            for (method, path) in cases {
                let response = try await hooks.api.call(method, path, body: method == "PATCH" ? #"{"enabled":true}"# : nil,
                                                        bearer: hooks.admin)
                #expect(response.status == 404, "\(method) \(path): \(response.bodyText)")
            }
        }
    }

    /// Admins only, by access token: no credentials 401, a customer 403, an admin's API
    /// key 403 (a leaked key must not redirect deliveries).
    @Test func everyRouteIsForAdminsWithAnAccessToken() async throws {
        try await withWebhooks { hooks in
            let id = try await hooks.subscribe(WebhooksAPITests.receiver).id
            let customer = try await hooks.api.customer("c@example.com").access
            let key = try await hooks.api.createKey(hooks.admin, scopes: ["products:write"]).key
            let delivery = UUID().uuidString
            let routes: [(String, String)] = [
                ("POST", "/api/v1/webhooks"), ("GET", "/api/v1/webhooks"), ("GET", "/api/v1/webhooks/\(id)"),
                ("PATCH", "/api/v1/webhooks/\(id)"), ("DELETE", "/api/v1/webhooks/\(id)"),
                ("POST", "/api/v1/webhooks/\(id)/rotate-secret"), ("POST", "/api/v1/webhooks/\(id)/ping"),
                ("GET", "/api/v1/webhooks/\(id)/deliveries"),
                ("POST", "/api/v1/webhooks/\(id)/deliveries/\(delivery)/redeliver"),
            ]
            for (method, path) in routes {
                let anonymous = try await hooks.api.call(method, path)
                #expect(anonymous.status == 401, "\(method) \(path)")
                #expect(try await hooks.api.call(method, path, bearer: customer).status == 403, "\(method) \(path)")
                #expect(try await hooks.api.call(method, path, apiKey: key).status == 403, "\(method) \(path)")
            }
            #expect(try await hooks.endpoint(id).string("url") == WebhooksAPITests.receiver)
        }
    }
}
