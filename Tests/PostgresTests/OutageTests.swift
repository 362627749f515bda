import Foundation
import Glibc
import Postgres
import Testing
import TestSupport

/// The server going away and coming back, on a private cluster that can be stopped.
@Suite struct OutageTests {
    private func configuration(_ cluster: TemporaryCluster, statementTimeout: Duration) -> PostgresConfiguration {
        PostgresConfiguration(conninfo: cluster.conninfo, poolSize: 2, acquireTimeout: .seconds(2),
                              statementTimeout: statementTimeout, connectTimeout: .seconds(2),
                              reconnectBaseDelay: .milliseconds(20), reconnectMaxDelay: .milliseconds(200))
    }

    @Test func pingFailsWhileTheServerIsDownAndRecoversWithTheSamePool() async throws {
        let cluster = try await TemporaryCluster.start()
        let pool = try PostgresPool(configuration: configuration(cluster, statementTimeout: .seconds(5)))
        do {
            try await pool.ping(timeout: .seconds(10))
            // A statement running when the server stops fails promptly instead of hanging.
            let running = Task { try await pool.query("SELECT pg_sleep(30)") }
            #expect(await eventually { pool.statistics.inUse == 1 })
            let clock = ContinuousClock()
            let start = clock.now
            try await cluster.stop()
            await #expect(throws: PostgresError.self) { try await running.value }
            #expect(start.duration(to: clock.now) < .seconds(5))

            // While it is down: every call fails, none waits past its limit.
            for _ in 0..<5 {
                let attempt = clock.now
                await #expect(throws: PostgresError.self) { try await pool.ping(timeout: .milliseconds(500)) }
                await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
                #expect(attempt.duration(to: clock.now) < .seconds(5))
            }
            #expect(pool.statistics.connectFailures > 0)

            try await cluster.start()
            let recovered = await eventually(within: .seconds(30)) {
                (try? await pool.ping(timeout: .milliseconds(500))) != nil
            }
            #expect(recovered)
            #expect(try await pool.query("SELECT 1 AS one").rows[0].decode("one", as: Int.self) == 1)
        } catch {
            await pool.shutdown()
            try? await cluster.destroy()
            throw error
        }
        await pool.shutdown()
        try await cluster.destroy()
    }

    /// A backend that stops answering (here: SIGSTOP, as a network partition would look)
    /// cannot honour statement_timeout; the client's own deadline ends the wait.
    @Test func aFrozenBackendHitsTheClientDeadline() async throws {
        let cluster = try await TemporaryCluster.start()
        let pool = try PostgresPool(configuration: configuration(cluster, statementTimeout: .milliseconds(500)))
        var frozen: Int32?
        do {
            let pid: Int32 = try await pool.withConnection { connection in
                let pid: Int32 = try await connection.query("SELECT pg_backend_pid() AS pid").rows[0].decode("pid")
                kill(pid, SIGSTOP)
                frozen = pid
                let clock = ContinuousClock()
                let start = clock.now
                await #expect(throws: PostgresError.timeout) { try await connection.query("SELECT 1") }
                let waited = start.duration(to: clock.now)
                // statement_timeout (500 ms) plus the client's one-second allowance.
                #expect(waited >= .milliseconds(1400) && waited < .seconds(10), "waited \(waited)")
                return pid
            }
            kill(pid, SIGCONT)
            frozen = nil
            // The timed-out connection was closed; the pool opens a fresh one.
            let next: Int32 = try await pool.query("SELECT pg_backend_pid() AS pid").rows[0].decode("pid")
            #expect(next != pid)
        } catch {
            if let frozen { kill(frozen, SIGCONT) }
            await pool.shutdown()
            try? await cluster.destroy()
            throw error
        }
        await pool.shutdown()
        try await cluster.destroy()
    }
}
