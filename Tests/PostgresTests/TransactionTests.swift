import Locking
import Postgres
import Synchronization
import Testing
import TestSupport

/// Commit, rollback and the retry of serialization failures.
@Suite struct TransactionTests {
    struct Abort: Error {}

    @Test func aThrownErrorRollsBackEverything() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool
            _ = try await pool.query("CREATE TABLE items (name text)")
            await #expect(throws: Abort.self) {
                try await pool.withTransaction { transaction in
                    _ = try await transaction.query("INSERT INTO items VALUES ($1)", "kept?")
                    throw Abort()
                }
            }
            #expect(try await pool.query("SELECT count(*) AS n FROM items").rows[0].decode("n", as: Int.self) == 0)
            let value = try await pool.withTransaction { transaction in
                _ = try await transaction.query("INSERT INTO items VALUES ($1)", "kept")
                return 42
            }
            #expect(value == 42)
            #expect(try await pool.query("SELECT count(*) AS n FROM items").rows[0].decode("n", as: Int.self) == 1)
        }
    }

    @Test func aSwallowedStatementErrorStillFailsTheCommit() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool
            _ = try await pool.query("CREATE TABLE items (name text NOT NULL)")
            await #expect { 
                try await pool.withTransaction { transaction in
                    _ = try await transaction.query("INSERT INTO items VALUES ($1)", "first")
                    _ = try? await transaction.query("INSERT INTO items VALUES (NULL)")
                }
            } throws: { error in
                if case .server(sqlState: "25P02", _, _, _) = error as? PostgresError { return true }
                return false
            }
            #expect(try await pool.query("SELECT count(*) AS n FROM items").rows[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test(arguments: PostgresIsolationLevel.allCases)
    func theIsolationLevelIsTheOneAskedFor(level: PostgresIsolationLevel) async throws {
        try await TestDatabase.with { database in
            let shown: String = try await database.pool.withTransaction(isolation: level) { transaction in
                try await transaction.query("SHOW transaction_isolation").rows[0].decode(0)
            }
            let expected: [PostgresIsolationLevel: String] = [
                .readCommitted: "read committed", .repeatableRead: "repeatable read", .serializable: "serializable",
            ]
            #expect(shown == expected[level])
        }
    }

    /// Write skew: each transaction reads what the other writes. Both read before either
    /// writes (a barrier makes sure), so PostgreSQL must fail one with 40001; the retry then
    /// runs alone and succeeds.
    @Test func aSerializationFailureIsRetriedAndSucceeds() async throws {
        try await TestDatabase.with(poolSize: 4) { database in
            let pool = database.pool
            _ = try await pool.query("CREATE TABLE shifts (doctor int, on_call boolean)")
            _ = try await pool.query("INSERT INTO shifts VALUES (1, true), (2, true)")
            let barrier = Barrier(parties: 2)
            let attempts = Attempts()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for doctor in [1, 2] {
                    group.addTask {
                        try await pool.withTransaction(isolation: .serializable) { transaction in
                            let attempt = attempts.next(doctor - 1)
                            _ = try await transaction.query("SELECT count(*) FROM shifts WHERE on_call")
                            if attempt == 1 { await barrier.arrive() }
                            _ = try await transaction.query("UPDATE shifts SET on_call = false WHERE doctor = $1", doctor)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let counts = attempts.counts.withLock { $0 }
            #expect(counts.sorted() == [1, 2], "one transaction ran twice: \(counts)")
            let onCall = try await pool.query("SELECT count(*) AS n FROM shifts WHERE on_call").rows[0]
            #expect(try onCall.decode("n", as: Int.self) == 0)
        }
    }
}

/// Suspends callers until `parties` of them have arrived.
actor Barrier {
    private let parties: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(parties: Int) { self.parties = parties }

    func arrive() async {
        if waiting.count + 1 == parties {
            waiting.forEach { $0.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}

/// Counts the attempts of each transaction, shared by the tasks running them.
final class Attempts: Sendable {
    let counts = Locked([0, 0])

    func next(_ index: Int) -> Int {
        counts.withLock {
            $0[index] += 1
            return $0[index]
        }
    }
}
