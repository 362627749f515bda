import Foundation
import Postgres
import Testing
import TestSupport

/// Waiting, timing out, and replacing connections that broke.
@Suite struct PoolTests {
    @Test func anExhaustedPoolTimesOutAfterTheConfiguredWait() async throws {
        try await TestDatabase.with { database in
            var configuration = database.configuration()
            configuration.poolSize = 1
            configuration.acquireTimeout = .milliseconds(300)
            let pool = try PostgresPool(configuration: configuration)
            // Opening the connection counts against the short wait too; on a loaded machine
            // the first attempts may give up while it is still being opened.
            #expect(await eventually(within: .seconds(60)) { (try? await pool.query("SELECT 1")) != nil })
            // Those early give-ups count as timeouts as well; only the one below is asserted.
            let timeoutsBefore = pool.statistics.acquireTimeouts
            let clock = ContinuousClock()
            try await pool.withConnection { held in
                _ = try await held.query("SELECT 1")
                let start = clock.now
                await #expect(throws: PostgresError.poolTimeout) { try await pool.query("SELECT 2") }
                let waited = start.duration(to: clock.now)
                // The upper bound only tells "gave up at its deadline" from "never gave up":
                // under ThreadSanitizer, with the suites sharing two cores, 5 s was exceeded.
                #expect(waited >= .milliseconds(300) && waited < .seconds(60), "waited \(waited)")
                #expect(pool.statistics.inUse == 1)
            }
            // The connection goes back on the reactor thread, just after the closure returns.
            #expect(await eventually { pool.statistics.idle == 1 })
            let statistics = pool.statistics
            #expect(statistics.acquireTimeouts == timeoutsBefore + 1 && statistics.waiters == 0)
            #expect(statistics.open == 1 && statistics.inUse == 0)
            // The connection that was held serves the next caller at once.
            #expect(try await pool.query("SELECT 3 AS n").rows[0].decode("n", as: Int.self) == 3)
            await pool.shutdown()
        }
    }

    @Test func waitersAreServedInTurnAsConnectionsComeBack() async throws {
        try await TestDatabase.with(poolSize: 2) { database in
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for value in 0..<20 {
                    group.addTask {
                        try await database.pool.query("SELECT $1::int AS v, pg_sleep(0.01)", value).rows[0].decode("v")
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.sorted() == Array(0..<20))
            let statistics = database.pool.statistics
            #expect(statistics.open <= 2 && statistics.acquireCount == 20 && statistics.acquireTimeouts == 0)
        }
    }

    /// Sixteen queries are all waiting inside PostgreSQL at the same moment, although the
    /// cooperative pool has a thread per core (two here): a client whose waiting occupied a
    /// thread could never have more than two in flight. Shown by the server's own view
    /// (`pg_stat_activity`), not by timing, so a loaded machine cannot make it flaky.
    @Test func slowQueriesDoNotHoldThreads() async throws {
        try await TestDatabase.with(poolSize: 18) { database in
            try await database.pool.withConnection { holder in
                _ = try await holder.query("SELECT pg_advisory_lock(4242)")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<16 {
                        group.addTask { _ = try await database.pool.query("SELECT pg_advisory_lock_shared(4242), pg_advisory_unlock_shared(4242)") }
                    }
                    let allWaiting = try await eventually(within: .seconds(30)) {
                        let rows = try await database.pool.query(
                            "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
                        return try rows.rows[0].decode("waiting", as: Int.self) == 16
                    }
                    #expect(allWaiting, "16 queries were not all in flight together")
                    _ = try await holder.query("SELECT pg_advisory_unlock(4242)")
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        try await TestDatabase.with { database in
            var configuration = database.configuration()
            configuration.poolSize = 1
            configuration.acquireTimeout = .seconds(30)
            let pool = try PostgresPool(configuration: configuration)
            try await pool.withConnection { _ in
                let waiting = Task { try await pool.query("SELECT 1") }
                // Patient: under AddressSanitizer with every suite running, the task had not
                // even started after 10 s (the cooperative pool has two threads).
                #expect(await eventually(within: .seconds(60)) { pool.statistics.waiters == 1 })
                waiting.cancel()
                await #expect(throws: CancellationError.self) { try await waiting.value }
                // The reactor publishes the new count on its own thread, just after.
                #expect(await eventually { pool.statistics.waiters == 0 })
            }
            await pool.shutdown()
        }
    }

    @Test func aTerminatedBackendIsReplacedBeforeTheNextQuery() async throws {
        try await TestDatabase.with { database in
            var configuration = database.configuration()
            configuration.poolSize = 1
            let pool = try PostgresPool(configuration: configuration)
            let first: Int = try await pool.query("SELECT pg_backend_pid() AS pid").rows[0].decode("pid")
            // The second argument makes pg_terminate_backend wait until the backend is gone.
            let terminated = try await database.pool.query("SELECT pg_terminate_backend($1, 5000) AS done", first)
            #expect(try terminated.rows[0].decode("done", as: Bool.self))
            let second: Int = try await pool.query("SELECT pg_backend_pid() AS pid").rows[0].decode("pid")
            #expect(second != first)
            #expect(pool.statistics.open == 1)
            await pool.shutdown()
        }
    }

    @Test func aConnectionLeftInATransactionIsNotReused() async throws {
        try await TestDatabase.with { database in
            var configuration = database.configuration()
            configuration.poolSize = 1
            let pool = try PostgresPool(configuration: configuration)
            let first: Int = try await pool.withConnection { connection in
                _ = try await connection.query("BEGIN")
                return try await connection.query("SELECT pg_backend_pid() AS pid").rows[0].decode("pid")
            }
            let row = try await pool.query("SELECT pg_backend_pid() AS pid").rows[0]
            #expect(try row.decode("pid", as: Int.self) != first)
            #expect(pool.statistics.open == 1)
            await pool.shutdown()
        }
    }

    @Test func aLentConnectionCannotBeUsedAfterItsClosure() async throws {
        try await TestDatabase.with { database in
            let escaped = try await database.pool.withConnection { $0 }
            await #expect(throws: PostgresError.closed) { try await escaped.query("SELECT 1") }
        }
    }

    @Test func serverErrorsCarrySQLStateConstraintAndDetail() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool
            _ = try await pool.query("CREATE TABLE people (email text CONSTRAINT people_email_key UNIQUE)")
            _ = try await pool.query("INSERT INTO people VALUES ($1)", "a@example.com")
            await #expect {
                try await pool.query("INSERT INTO people VALUES ($1)", "a@example.com")
            } throws: { error in
                guard case .server(let state, _, let constraint, let detail) = error as? PostgresError else { return false }
                return state == "23505" && constraint == "people_email_key" && detail?.contains("a@example.com") == true
            }
            // A statement that fails to prepare is not cached; the connection stays usable.
            await #expect { try await pool.query("SELEC 1") } throws: { error in
                if case .server(sqlState: "42601", _, _, _) = error as? PostgresError { return true }
                return false
            }
            #expect(try await pool.query("SELECT 1 AS one").rows[0].decode("one", as: Int.self) == 1)
        }
    }

    @Test func theServerStatementTimeoutApplies() async throws {
        try await TestDatabase.with { database in
            var configuration = database.configuration()
            configuration.statementTimeout = .milliseconds(200)
            let pool = try PostgresPool(configuration: configuration)
            await #expect(throws: PostgresError.server(sqlState: "57014", message: "canceling statement due to statement timeout",
                                                       constraint: nil, detail: nil)) {
                try await pool.query("SELECT pg_sleep(5)")
            }
            #expect(try await pool.query("SHOW statement_timeout").rows[0].decode(0, as: String.self) == "200ms")
            await pool.shutdown()
        }
    }

    @Test func aShutDownPoolRefusesWork() async throws {
        try await TestDatabase.with { database in
            let pool = try PostgresPool(configuration: database.configuration())
            _ = try await pool.query("SELECT 1")
            await pool.shutdown()
            await #expect(throws: PostgresError.closed) { try await pool.query("SELECT 1") }
            await pool.shutdown()  // twice is harmless
        }
    }
}
