import Foundation
import HTTPTestSupport
import Testing
@testable import StorefrontApp

@Suite struct PipelineTests {
    private func expectEnvelope(_ response: RawHTTPClient.Response, code: String) throws {
        let json = try RunningApp.json(response)
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["code"] as? String == code)
        #expect(error["message"] is String)
        #expect(error["details"] is [Any])
        #expect(error["request_id"] as? String == response.header("X-Request-Id"))
        let timestamp = try #require(error["timestamp"] as? String)
        #expect(timestamp.count == 24 && timestamp.hasSuffix("Z"))
    }

    private func expectSecurityHeaders(_ response: RawHTTPClient.Response) {
        #expect(response.header("X-Content-Type-Options") == "nosniff")
        #expect(response.header("X-Frame-Options") == "DENY")
        #expect(response.header("Referrer-Policy") == "no-referrer")
        #expect(response.header("Content-Security-Policy") == "default-src 'none'; frame-ancestors 'none'")
    }

    @Test func unknownPathIs404WithTheEnvelope() async throws {
        try await withApp { app in
            let response = try await app.get("/nope")
            #expect(response.status == 404)
            try expectEnvelope(response, code: "NOT_FOUND")
            expectSecurityHeaders(response)
        }
    }

    @Test func wrongMethodIs405WithAllowAndTheEnvelope() async throws {
        try await withApp { app in
            let response = try await app.request("DELETE /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(response.status == 405)
            #expect(response.header("Allow") == "GET, HEAD, OPTIONS")
            try expectEnvelope(response, code: "METHOD_NOT_ALLOWED")
        }
    }

    @Test func bodyOverTheLimitIs413WithTheEnvelope() async throws {
        try await withApp(environment: ["MAX_BODY_BYTES": "100"]) { app in
            let response = try await app.request("POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n")
            #expect(response.status == 413)
            try expectEnvelope(response, code: "PAYLOAD_TOO_LARGE")
            expectSecurityHeaders(response)
        }
    }

    @Test func malformedRequestIs400WithTheEnvelope() async throws {
        try await withApp { app in
            let response = try await app.request("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
            #expect(response.status == 400)
            try expectEnvelope(response, code: "BAD_REQUEST")
        }
    }

    @Test func validClientRequestIdIsEchoed() async throws {
        try await withApp { app in
            let response = try await app.get("/health", headers: "X-Request-Id: abc.DEF_123-x\r\n")
            #expect(response.header("X-Request-Id") == "abc.DEF_123-x")
        }
    }

    /// The link adds its field without looking for an old one: nothing inside it may write
    /// one too, on answers, errors or unmatched paths alike.
    @Test(arguments: ["GET /health", "GET /nope", "DELETE /health", "OPTIONS /health", "GET /api/v1/users/me"])
    func everyAnswerCarriesExactlyOneRequestId(requestLine: String) async throws {
        try await withApp { app in
            let response = try await app.request("\(requestLine) HTTP/1.1\r\nHost: t\r\nX-Request-Id: one-id\r\n\r\n")
            #expect(response.headerValues("X-Request-Id") == ["one-id"])
        }
    }

    @Test(arguments: ["has space", "semi;colon", String(repeating: "a", count: 129), "ünïcode"])
    func invalidClientRequestIdIsReplaced(candidate: String) async throws {
        try await withApp { app in
            let response = try await app.get("/nope", headers: "X-Request-Id: \(candidate)\r\n")
            let id = try #require(response.header("X-Request-Id"))
            #expect(id != candidate)
            #expect(RequestIDMiddleware.accepted(id) == id)
            let body = try RunningApp.json(response)
            #expect((body["error"] as? [String: Any])?["request_id"] as? String == id)
        }
    }

    /// Unique within a process and between two (random prefixes: equal with probability
    /// 2^-36), in the form a client may send back, and 15 bytes: a small string, no heap.
    @Test func generatedRequestIdsAreUniqueAcceptedAndSmall() {
        let generator = RequestIDGenerator(), other = RequestIDGenerator()
        let ids = (0..<1000).map { _ in generator.next() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.utf8.count == 15 && RequestIDMiddleware.accepted($0) == $0 })
        #expect(other.next().prefix(6) != ids[0].prefix(6))
        #expect(ids[0].prefix(6) == ids[999].prefix(6) && ids[0] < ids[1])
    }

    @Test func accessLogLineIsOneJSONObjectWithTheRouteTemplateAndNoSecrets() async throws {
        try await withApp { app in
            let secret = "Bearer super-secret-token-value"
            _ = try await app.get("/health?api_key=query-secret", headers: "Authorization: \(secret)\r\nCookie: session=cookie-secret\r\nX-Request-Id: log-check\r\n")
            await app.stop()
            let line = try #require(app.logs.all.first { $0.contains("\"request_id\":\"log-check\"") })
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["msg"] as? String == "request")
            #expect(object["level"] as? String == "info")
            #expect(object["method"] as? String == "GET")
            #expect(object["route"] as? String == "/health")
            #expect(object["status"] as? Int == 200)
            #expect(object["client_ip"] as? String == "127.0.0.1")
            #expect(object["duration_ms"] is Double)
            #expect(object["bytes"] is Int)
            #expect(object["time"] is String)
            for needle in ["super-secret-token-value", "cookie-secret", "query-secret"] {
                #expect(!app.logs.all.joined().contains(needle))
            }
        }
    }

    @Test func credentialedResponsesAreNotCached() async throws {
        try await withApp { app in
            let response = try await app.get("/health", headers: "Authorization: Bearer x\r\n")
            #expect(response.header("Cache-Control") == "no-store")
            #expect(try await app.get("/health").header("Cache-Control") == nil)
        }
    }

    @Test func headAndOptionsAreAnsweredForEveryGetRoute() async throws {
        try await withApp { app in
            let head = try await app.request("HEAD /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(Int(head.header("Content-Length") ?? "") ?? 0 > 0)
            let options = try await app.request("OPTIONS /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(options.status == 204)
            #expect(options.header("Allow") == "GET, HEAD, OPTIONS")
        }
    }

    /// API.md: `OPTIONS *` is 200 with the server's methods, through the whole chain.
    @Test func optionsAsteriskIs200WithTheServersMethodsAndTheUsualHeaders() async throws {
        try await withApp { app in
            let response = try await app.request("OPTIONS * HTTP/1.1\r\nHost: t\r\nX-Request-Id: star-1\r\n\r\n")
            #expect(response.status == 200)
            let allow = Set((response.header("Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(allow.isSuperset(of: ["GET", "HEAD", "OPTIONS"]))
            #expect(response.header("X-Request-Id") == "star-1")
            expectSecurityHeaders(response)
            // Only OPTIONS may use the asterisk-form (RFC 9112 §3.2.4).
            #expect(try await app.request("GET * HTTP/1.1\r\nHost: t\r\n\r\n").status == 400)
        }
    }

    @Test func unhandledErrorIs500WithoutInternals() async throws {
        var router = Router()
        struct Boom: Error { let secret = "sql: SELECT password FROM users" }
        router.add(.get, "/boom", access: .anyone) { _, _ in throw Boom() }
        let logs = MemoryLogSink()
        let logger = Logger(sink: logs, minimumLevel: .debug)
        // The real chain, taken from an application that is built but not started.
        let application = try Application(configuration: AppConfiguration.fromEnvironment([:], cores: 1), logger: logger)
        let handler = AppHandler(router: router, chain: application.middleware,
                                 clientAddress: ClientAddress(trustedProxies: []), requestIDs: RequestIDGenerator(),
                                 logger: logger)
        let response = try await handler.handle(.init(head: .init(
            method: .get, target: "/boom", version: .http1_1, headers: .init([("Host", "t")]),
            framing: .none, keepAlive: true, expectsContinue: false)))
        #expect(response.status.code == 500)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.contains("\"INTERNAL\""))
        #expect(!body.contains("SELECT"))
        // The details go to the log, at error level, with the request id.
        let errorLine = try #require(logs.all.first { $0.contains("unhandled error") })
        #expect(errorLine.contains("\"level\":\"error\""))
        #expect(errorLine.contains(response.headers["X-Request-Id"] ?? "missing"))
    }
}
