import Foundation
import Postgres
import Testing
import TestSupport

/// A rough measurement, not a check: run with `STOREFRONT_PG_BENCH=1`. Prints queries per
/// second and latency percentiles for a one-row primary-key lookup through the pool.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["STOREFRONT_PG_BENCH"] != nil))
struct ThroughputTests {
    @Test func primaryKeyLookups() async throws {
        try await TestDatabase.with(poolSize: 8) { database in
            let pool = database.pool
            _ = try await pool.query("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)")
            _ = try await pool.query("INSERT INTO items SELECT n, 'item ' || n FROM generate_series(1, 10000) AS n")
            let clock = ContinuousClock()
            let perTask = 2_000, tasks = 64
            let start = clock.now
            let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        var latencies: [Duration] = []
                        latencies.reserveCapacity(perTask)
                        for index in 0..<perTask {
                            let begin = clock.now
                            let row = try await pool.query("SELECT id, name FROM items WHERE id = $1",
                                                           (task * perTask + index) % 10000 + 1).rows[0]
                            _ = try row.decode("name", as: String.self)
                            latencies.append(begin.duration(to: clock.now))
                        }
                        return latencies
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }.sorted()
            }
            let elapsed = start.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = Double(latencies.count) / seconds
            print("pool 8, \(tasks) tasks: \(latencies.count) queries in \(elapsed): \(Int(rate)) q/s, "
                  + "p50 \(latencies[latencies.count / 2]), p99 \(latencies[latencies.count * 99 / 100]); \(pool.statistics)")
        }
    }
}
