import Foundation
import Testing
@testable import StorefrontApp

private struct FixedCheck: ReadinessCheck {
    let name: String
    let problemText: String?
    func problem() async -> String? { problemText }
}

@Suite struct OperationalEndpointTests {
    @Test func healthReportsStatusVersionAndUptime() async throws {
        try await withApp { app in
            let response = try await app.get("/health")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            let json = try RunningApp.json(response)
            #expect(json["status"] as? String == "ok")
            #expect(json["version"] as? String == StorefrontVersion.current)
            #expect(json["uptime_s"] is Int)
        }
    }

    @Test func liveAnswersOk() async throws {
        try await withApp { app in
            let json = try RunningApp.json(try await app.get("/live"))
            #expect(json["status"] as? String == "ok")
        }
    }

    @Test func readyIs503NamingTheFailingCheck() async throws {
        try await withApp(readinessChecks: [FixedCheck(name: "search", problemText: "down")]) { app in
            let response = try await app.get("/ready")
            #expect(response.status == 503)
            #expect(response.header("Retry-After") != nil)
            let json = try RunningApp.json(response)
            #expect((json["checks"] as? [String: String])?["search"] == "down")
        }
    }

    @Test func readyIs503WhileDraining() async throws {
        try await withApp(readinessChecks: [FixedCheck(name: "x", problemText: nil)]) { app in
            app.application.lifecycle.beginDraining()
            let response = try await app.get("/ready")
            #expect(response.status == 503)
            let json = try RunningApp.json(response)
            #expect((json["checks"] as? [String: String])?["server"] == "draining")
        }
    }

    @Test func openAPIDocumentIsServedAsYAML() async throws {
        try await withApp { app in
            let response = try await app.get("/openapi.yaml")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/yaml")
            #expect(response.bodyText.hasPrefix("openapi:"))
        }
    }

    @Test func jsonEndpointsRefuseAnAcceptThatExcludesJSON() async throws {
        var router = Router()
        router.add(.post, "/api/v1/things", access: .anyone) { _, _ in .json { $0.beginObject(); $0.endObject() } }
        // Exercised through the real chain by the API tests; here the negotiation rules.
        #expect(MediaRange.accepts("text/html", type: "application", subtype: "json") == false)
        #expect(MediaRange.accepts("application/json;q=0", type: "application", subtype: "json") == false)
        #expect(MediaRange.accepts("text/html, */*;q=0.1", type: "application", subtype: "json"))
        #expect(MediaRange.accepts("application/*", type: "application", subtype: "json"))
        #expect(MediaRange.essence("Application/JSON; charset=utf-8") == "application/json")
        #expect(router.routes.count == 1)
    }
}
