import HTTPCore
import HTTPTestSupport
import Testing
@testable import StorefrontApp

/// CORS_ORIGINS through the real server: preflights allowed and refused, the fields on
/// answers of every kind, and what caches are told.
@Suite struct CORSTests {
    static let listed = ["CORS_ORIGINS": "https://shop.example.com, http://localhost:3000"]
    static let wildcard = ["CORS_ORIGINS": "*"]

    struct Preflight: Sendable {
        let name: String
        let environment: [String: String]
        let origin: String
        let path: String
        /// The expected `Access-Control-Allow-Origin`, nil for a refusal.
        let allowOrigin: String?
        let credentials: Bool
        let vary: Bool
    }

    static let preflights: [Preflight] = [
        Preflight(name: "listed origin", environment: listed, origin: "https://shop.example.com",
                  path: "/api/v1/users/me", allowOrigin: "https://shop.example.com", credentials: true, vary: true),
        Preflight(name: "listed origin, other case", environment: listed, origin: "HTTPS://Shop.Example.com",
                  path: "/api/v1/users/me", allowOrigin: "HTTPS://Shop.Example.com", credentials: true, vary: true),
        Preflight(name: "second listed origin, with port", environment: listed, origin: "http://localhost:3000",
                  path: "/api/v1/auth/login", allowOrigin: "http://localhost:3000", credentials: true, vary: true),
        Preflight(name: "unknown path still answered", environment: listed, origin: "https://shop.example.com",
                  path: "/api/v1/nothing", allowOrigin: "https://shop.example.com", credentials: true, vary: true),
        Preflight(name: "wildcard: any origin, never credentials", environment: wildcard, origin: "https://evil.example",
                  path: "/api/v1/users/me", allowOrigin: "*", credentials: false, vary: false),
        Preflight(name: "wildcard: opaque origin", environment: wildcard, origin: "null",
                  path: "/api/v1/users/me", allowOrigin: "*", credentials: false, vary: false),
        Preflight(name: "unlisted origin refused", environment: listed, origin: "https://evil.example",
                  path: "/api/v1/users/me", allowOrigin: nil, credentials: false, vary: true),
        Preflight(name: "listed origin's other port refused", environment: listed, origin: "http://localhost:3001",
                  path: "/api/v1/users/me", allowOrigin: nil, credentials: false, vary: true),
        Preflight(name: "listed host over the other scheme refused", environment: listed, origin: "http://shop.example.com",
                  path: "/api/v1/users/me", allowOrigin: nil, credentials: false, vary: true),
        Preflight(name: "suffix trick refused", environment: listed, origin: "https://shop.example.com.evil.example",
                  path: "/api/v1/users/me", allowOrigin: nil, credentials: false, vary: true),
        Preflight(name: "opaque origin refused by a list", environment: listed, origin: "null",
                  path: "/api/v1/users/me", allowOrigin: nil, credentials: false, vary: true),
        Preflight(name: "CORS off", environment: [:], origin: "https://shop.example.com",
                  path: "/api/v1/users/me", allowOrigin: nil, credentials: false, vary: false),
    ]

    /// One app per configuration, its rows in order (an app per row would start a dozen
    /// servers at once in a suite that already runs hundreds of tests in parallel).
    @Test func preflightsAreAnsweredBeforeRoutingAndAuth() async throws {
        let environments = CORSTests.preflights.reduce(into: [[String: String]]()) { all, row in
            if !all.contains(row.environment) { all.append(row.environment) }
        }
        for environment in environments {
            try await withApp(environment: environment) { app in
                for row in CORSTests.preflights where row.environment == environment {
                    try await CORSTests.checkPreflight(row, app)
                }
            }
        }
    }

    static func checkPreflight(_ row: Preflight, _ app: RunningApp) async throws {
        let response = try await app.send("OPTIONS", row.path, headers: [
            "Origin: \(row.origin)", "Access-Control-Request-Method: POST",
            "Access-Control-Request-Headers: authorization, content-type"])
        #expect(response.header("Access-Control-Allow-Origin") == row.allowOrigin, "\(row.name)")
        #expect((response.header("Access-Control-Allow-Credentials") == "true") == row.credentials, "\(row.name)")
        #expect(response.headerValues("Vary").contains("Origin") == row.vary, "\(row.name)")
        if row.allowOrigin != nil {
            #expect(response.status == 204, "\(row.name)")
            #expect(response.header("Access-Control-Allow-Methods")?.contains("PATCH") == true, "\(row.name)")
            let headers = response.header("Access-Control-Allow-Headers") ?? ""
            #expect(headers.contains("Authorization") && headers.contains("Content-Type") && headers.contains("X-API-Key"),
                    "\(row.name)")
            #expect(response.header("Access-Control-Max-Age") == "600", "\(row.name)")
            #expect(response.body.isEmpty, "\(row.name)")
        } else {
            // Refused: the ordinary OPTIONS answer (or 404), with no CORS field at all.
            #expect(!response.headers.contains { $0.0.lowercased().hasPrefix("access-control-") }, "\(row.name)")
        }
    }

    /// Errors get the fields too (the link sits outside the error link), with the headers a
    /// script needs exposed. Each row: request, expected status.
    @Test func corsFieldsAreOnErrorAnswers() async throws {
        let env = CORSTests.listed.merging(["RATE_LIMIT_ENABLED": "true", "RATE_LIMIT_ANON_PER_MIN": "4"]) { $1 }
        try await withApp(environment: env, rateLimitClock: ManualClock()) { app in
            let rows: [(method: String, path: String, headers: [String], status: Int)] = [
                ("GET", "/api/v1/users/me", [], 401),
                ("GET", "/api/v1/nothing", [], 404),
                ("OPTIONS", "/api/v1/users/me", [], 204),
                ("DELETE", "/api/v1/auth/login", [], 405),
                ("GET", "/api/v1/nothing", [], 429),
                ("GET", "/health", [], 200),
            ]
            for row in rows {
                let response = try await app.send(row.method, row.path, headers: ["Origin: https://shop.example.com"] + row.headers)
                #expect(response.status == row.status, "\(row)")
                #expect(response.header("Access-Control-Allow-Origin") == "https://shop.example.com", "\(row)")
                #expect(response.header("Access-Control-Allow-Credentials") == "true", "\(row)")
                #expect(response.headerValues("Vary").contains("Origin"), "\(row)")
                let exposed = Set((response.header("Access-Control-Expose-Headers") ?? "")
                    .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                for name in ["x-request-id", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
                             "ratelimit-policy", "ratelimit", "retry-after", "etag", "location", "link"] {
                    #expect(exposed.contains(name), "\(name) exposed on \(row)")
                }
            }
            // A refused origin's error answers carry none of it, but still say they vary.
            let refused = try await app.send("GET", "/api/v1/users/me", headers: ["Origin: https://evil.example"])
            #expect(refused.header("Access-Control-Allow-Origin") == nil)
            #expect(refused.headerValues("Vary").contains("Origin"))
            // Without an Origin the answer still varies by it, for caches.
            let plain = try await app.send("GET", "/health")
            #expect(plain.header("Access-Control-Allow-Origin") == nil)
            #expect(plain.headerValues("Vary").contains("Origin"))
        }
    }

    /// A 500 (anything the error link does not know) still carries the fields.
    @Test func corsFieldsAreOnInternalErrors() async throws {
        struct Unexpected: Error {}
        let cors = try #require(CORSPolicy(origins: ["*"]))
        let chain = MiddlewareChain(links: [CORSMiddleware(policy: cors),
                                            ErrorMiddleware(logger: Logger(sink: MemoryLogSink(), minimumLevel: .info))])
        let request = Request(http: HTTPRequest(head: HTTPRequestHead(
            method: .get, target: "/api/v1/x", version: .http1_1,
            headers: HTTPHeaders([("Origin", "https://a.example")]), framing: .none, keepAlive: true, expectsContinue: false)))
        let response = try await chain.run(request, context: RequestContext(routeTemplate: "/api/v1/x", clientIP: "")) { _, _ in
            throw Unexpected()
        }
        #expect(response.status == .internalServerError)
        #expect(response.headers["Access-Control-Allow-Origin"] == "*")
        #expect(response.headers["Access-Control-Allow-Credentials"] == nil)
        #expect(response.headers["Vary"] == nil)
    }

    @Test(arguments: [
        ("https://shop.example.com/", "CORS_ORIGINS 'https://shop.example.com/' is not an origin like https://shop.example.com"),
        ("shop.example.com", "CORS_ORIGINS 'shop.example.com' is not an origin like https://shop.example.com"),
        ("ftp://shop.example.com", "CORS_ORIGINS 'ftp://shop.example.com' is not an origin like https://shop.example.com"),
        ("https://", "CORS_ORIGINS 'https://' is not an origin like https://shop.example.com"),
        ("https://a.example,https://b.example/x", "CORS_ORIGINS 'https://b.example/x' is not an origin like https://shop.example.com"),
        ("https://user@shop.example.com", "CORS_ORIGINS 'https://user@shop.example.com' is not an origin like https://shop.example.com"),
    ])
    func malformedOriginsStopStartUp(_ row: (value: String, message: String)) {
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(["CORS_ORIGINS": row.value], cores: 1) }
        do {
            _ = try AppConfiguration.fromEnvironment(["CORS_ORIGINS": row.value], cores: 1)
        } catch {
            #expect(error.description == row.message)
        }
    }

    @Test(arguments: ["*", "https://shop.example.com", "http://localhost:3000, https://[::1]:8443", " https://a.example ,* "])
    func wellFormedOriginListsAreAccepted(_ value: String) throws {
        #expect(try !AppConfiguration.fromEnvironment(["CORS_ORIGINS": value], cores: 1).corsOrigins.isEmpty)
    }
}
