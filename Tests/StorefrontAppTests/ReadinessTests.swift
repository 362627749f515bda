import Foundation
import Testing
import TestSupport
@testable import StorefrontApp

/// `/ready` against real PostgreSQL: a migrated database, one with pending migrations, an
/// unreachable one, and a cluster stopped and restarted under a running server.
@Suite struct ReadinessTests {
    private func environment(_ conninfo: String) -> [String: String] {
        ["DATABASE_URL": conninfo, "MIGRATIONS_DIR": TestEnvironment.migrationsDirectory.path,
         "DB_POOL_TIMEOUT_MS": "500"]
    }

    @Test func readyIs200WithAReachableFullyMigratedDatabase() async throws {
        try await TestDatabase.with { database in
            try await withApp(environment: environment(database.conninfo)) { app in
                let response = try await app.get("/ready")
                #expect(response.status == 200)
                let json = try RunningApp.json(response)
                #expect(json["status"] as? String == "ready")
                #expect(json["checks"] as? [String: String] == ["database": "ok", "migrations": "ok"])
            }
        }
    }

    @Test func pendingMigrationsMakeReady503() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await withApp(environment: environment(database.conninfo)) { app in
                let response = try await app.get("/ready")
                #expect(response.status == 503)
                let checks = try RunningApp.json(response)["checks"] as? [String: String]
                #expect(checks?["database"] == "ok")
                #expect(checks?["migrations"]?.hasSuffix("pending") == true)
            }
        }
    }

    @Test func unreachableDatabaseMakesReady503WithoutHanging() async throws {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        try await withApp(environment: environment("host=127.0.0.1 port=1 dbname=none connect_timeout=2")) { app in
            // A hang shows as the client's read timing out (the request throws); a wall-clock
            // bound tighter than that measured the machine's load instead (7.8 s at load 13).
            let response = try await app.request("GET /ready HTTP/1.1\r\nHost: test\r\n\r\n", timeoutSeconds: 30)
            #expect(response.status == 503)
            #expect((try RunningApp.json(response)["checks"] as? [String: String])?["database"] == "unreachable")
        }
    }

    @Test func serverRecoversWhenPostgresRestartsWithoutARestartOfItsOwn() async throws {
        let cluster = try await TemporaryCluster.start()
        do {
            try await withApp(environment: environment(cluster.conninfo)) { app in
                _ = try await app.application.configuration.migrator(pool: app.application.database).up()
                #expect(try await app.get("/ready").status == 200)

                try await cluster.stop()
                // A request that needs the database answers instead of hanging: a hang shows as
                // the client's read timing out (no wall-clock bound: it measured the load).
                #expect(try await app.request("GET /ready HTTP/1.1\r\nHost: test\r\n\r\n", timeoutSeconds: 30).status == 503)

                try await cluster.start()
                #expect(try await eventually(within: .seconds(20)) { try await app.get("/ready").status == 200 })
            }
        } catch {
            try? await cluster.destroy()
            throw error
        }
        try await cluster.destroy()
    }
}
