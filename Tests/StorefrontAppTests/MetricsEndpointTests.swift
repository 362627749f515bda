import Foundation
import HTTPCore
import Testing
@testable import StorefrontApp

@Suite struct MetricsEndpointTests {
    static func scrape(_ app: RunningApp, headers: String = "") async throws -> PrometheusScrape {
        let response = try await app.get("/metrics", headers: headers)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        return try PrometheusScrape(response.bodyText)
    }

    static func requests(_ scrape: PrometheusScrape, _ route: String, _ method: String, _ status: String) -> Double {
        scrape.value("http_server_requests_total", ["route": route, "method": method, "status": status]) ?? 0
    }

    @Test func scrapeIsStrictTextFormatWithEveryFamily() async throws {
        try await withApp { app in
            _ = try await app.get("/health")
            let scrape = try await MetricsEndpointTests.scrape(app)
            let expected: [(String, String)] = [
                ("http_server_requests_total", "counter"), ("http_server_request_duration_seconds", "histogram"),
                ("http_server_active_requests", "gauge"), ("http_server_open_connections", "gauge"),
                ("storefront_db_pool_size", "gauge"), ("storefront_db_pool_in_use_connections", "gauge"),
                ("storefront_db_pool_idle_connections", "gauge"), ("storefront_db_pool_waiters", "gauge"),
                ("storefront_db_pool_acquire_wait_seconds_total", "counter"),
                ("storefront_db_pool_shard_size", "gauge"), ("storefront_db_pool_shard_in_use_connections", "gauge"),
                ("storefront_db_pool_shard_idle_connections", "gauge"), ("storefront_db_pool_shard_waiters", "gauge"),
                ("storefront_db_pool_shard_acquire_timeouts_total", "counter"),
                ("storefront_password_hashing_queue_depth", "gauge"),
                ("storefront_rate_limit_rejections_total", "counter"),
                ("process_resident_memory_bytes", "gauge"), ("process_open_fds", "gauge"),
                ("process_start_time_seconds", "gauge"),
            ]
            for (name, type) in expected {
                #expect(scrape.families[name]?.type == type, "\(name)")
            }
            // The scrape itself is in flight while it is written; its connection is open.
            #expect((scrape.value("http_server_active_requests") ?? 0) >= 1)
            #expect((scrape.value("http_server_open_connections") ?? 0) >= 1)
            #expect((scrape.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((scrape.value("process_open_fds") ?? 0) > 3)
            let start = scrape.value("process_start_time_seconds") ?? 0
            let now = Date().timeIntervalSince1970
            #expect(start > now - 86_400 && start <= now + 1)
            #expect(scrape.value("storefront_db_pool_size") == 6)
            // DB_POOL_SIZE 6 over two loops: 2 for the reactor, 2 for each loop (ADR 0010).
            for shard in ["reactor", "loop0", "loop1"] {
                #expect(scrape.value("storefront_db_pool_shard_size", ["shard": shard]) == 2, "\(shard)")
                #expect(scrape.value("storefront_db_pool_shard_waiters", ["shard": shard]) == 0, "\(shard)")
            }
            let shards = Set(scrape.families["storefront_db_pool_shard_size"]?.samples.compactMap { $0.labels["shard"] } ?? [])
            #expect(shards == ["reactor", "loop0", "loop1"])
        }
    }

    @Test func countersAndHistogramsMoveAsRequestsAreAnswered() async throws {
        try await withApp { app in
            let before = try await MetricsEndpointTests.scrape(app)
            for _ in 0..<3 { _ = try await app.get("/health") }
            _ = try await app.get("/no/such/path/123")
            _ = try await app.request("BREW /health HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try await app.request("DELETE /health HTTP/1.1\r\nHost: t\r\n\r\n")
            let after = try await MetricsEndpointTests.scrape(app)
            let delta = { (route: String, method: String, status: String) in
                MetricsEndpointTests.requests(after, route, method, status)
                    - MetricsEndpointTests.requests(before, route, method, status)
            }
            #expect(delta("/health", "GET", "200") == 3)
            // Raw paths never become labels; unknown methods fold into one value.
            #expect(delta("(unmatched)", "GET", "404") == 1)
            #expect(delta("/health", "_OTHER", "405") == 1)
            #expect(delta("/health", "DELETE", "405") == 1)
            #expect(delta("/metrics", "GET", "200") == 1)
            let labels = ["route": "/health", "method": "GET", "status": "200"]
            let count = after.value("http_server_request_duration_seconds_count", labels)
            #expect(count == MetricsEndpointTests.requests(after, "/health", "GET", "200"))
            #expect(after.value("http_server_request_duration_seconds_bucket", labels.merging(["le": "+Inf"]) { $1 }) == count)
            #expect(after.value("http_server_request_duration_seconds_bucket", labels.merging(["le": "0.005"]) { $1 }) != nil)
            let routes = Set(after.families["http_server_requests_total"]?.samples.compactMap { $0.labels["route"] } ?? [])
            #expect(!routes.contains("/no/such/path/123"))
        }
    }

    @Test func requestsRefusedWhileReadingCountAsRejected() async throws {
        try await withApp { app in
            let before = MetricsEndpointTests.requests(try await MetricsEndpointTests.scrape(app), "(rejected)", "_OTHER", "400")
            let response = try await app.request("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
            #expect(response.status == 400)
            let after = try await MetricsEndpointTests.scrape(app)
            #expect(MetricsEndpointTests.requests(after, "(rejected)", "_OTHER", "400") == before + 1)
            // Refused requests have no measured duration, so no histogram series.
            #expect(after.value("http_server_request_duration_seconds_count",
                                ["route": "(rejected)", "method": "_OTHER", "status": "400"]) == nil)
        }
    }

    @Test func rateLimitRejectionsAreCountedByPolicy() async throws {
        try await withApp { app in
            let rejections = app.application.rateLimitRejections
            rejections.record(.auth)
            rejections.record(.auth)
            rejections.record(.key)
            let scrape = try await MetricsEndpointTests.scrape(app)
            let name = "storefront_rate_limit_rejections_total"
            #expect(scrape.value(name, ["policy": "auth"]) == 2)
            #expect(scrape.value(name, ["policy": "key"]) == 1)
            #expect(scrape.value(name, ["policy": "anon"]) == 0)
            #expect(scrape.value(name, ["policy": "user"]) == 0)
        }
    }

    @Test(arguments: [
        ("", 401), ("Authorization: Bearer wrong-token\r\n", 401),
        ("Authorization: Bearer s3cret-metrics-token-but-longer\r\n", 401),
        ("Authorization: Basic czNjcmV0LW1ldHJpY3MtdG9rZW4=\r\n", 401),
        ("Authorization: Bearer s3cret-metrics-token\r\n", 200),
        ("Authorization: bearer s3cret-metrics-token\r\n", 200),
    ])
    func metricsTokenIsRequiredWhenSet(headers: String, status: Int) async throws {
        try await withApp(environment: ["METRICS_TOKEN": "s3cret-metrics-token"]) { app in
            let response = try await app.get("/metrics", headers: headers)
            #expect(response.status == status)
            if status == 401 {
                #expect(response.header("WWW-Authenticate") == "Bearer")
                let error = try RunningApp.json(response)["error"] as? [String: Any]
                #expect(error?["code"] as? String == "UNAUTHORIZED")
                #expect(!response.bodyText.contains("s3cret"))
            } else {
                _ = try PrometheusScrape(response.bodyText)
            }
        }
    }

    @Test func seriesBeyondTheTableAreCountedAsDropped() {
        let metrics = RequestMetrics(templates: ["/a"], capacity: 2)
        for status in [200, 201, 202, 203] {
            metrics.record(route: "/a", method: .get, status: status, duration: .milliseconds(1))
        }
        #expect(metrics.snapshot().count == 2)
        #expect(metrics.droppedSeries == 2)
    }

    @Test func durationsLandInTheFirstBucketTheyFit() {
        let metrics = RequestMetrics(templates: ["/a"])
        for duration: Duration in [.milliseconds(5), .milliseconds(6), .seconds(11), .zero] {
            metrics.record(route: "/a", method: HTTPMethod("GET"), status: 200, duration: duration)
        }
        let series = metrics.snapshot()
        #expect(series.count == 1)
        #expect(series.first?.buckets.first == 2)  // 0 and 5 ms: `le` is inclusive
        #expect(series.first?.buckets[1] == 1)     // 6 ms
        #expect(series.first?.buckets.last == 1)   // past 10 s: +Inf only
        #expect(series.first?.requests == 4)
    }
}
