import Postgres
import Testing
@testable import StorefrontApp

/// A stopped application is freed with everything its routes hold. Its server's handler
/// leads to the `/metrics` controller, which knows the server, and to the pool, whose loop
/// shards run on the server's loops: either path kept every stopped application alive
/// (LeakSanitizer counted 340 MB over one test run). `scripts/test --sanitize=address`
/// checks the whole process at exit; this checks the application in every run.
@Suite struct ApplicationLifetimeTests {
    @Test func aStoppedApplicationIsFreedOnceDropped() async throws {
        weak var metrics: MetricsController?
        weak var pool: PostgresPool?
        try await withApp { (app: RunningApp) async throws in
            metrics = app.application.metrics
            pool = app.application.database
            // The loops, the chain, the `/metrics` route and the pool's shards all used.
            let health = try await app.get("/health"), scrape = try await app.get("/metrics")
            #expect(health.status == 200 && scrape.status == 200)
            #expect(metrics != nil && pool != nil)
        }
        #expect(metrics == nil)
        #expect(pool == nil)
    }
}
