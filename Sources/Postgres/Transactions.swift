/// The isolation level a transaction starts with (PostgreSQL's `BEGIN ISOLATION LEVEL ...`).
public enum PostgresIsolationLevel: Sendable, CaseIterable {
    case readCommitted, repeatableRead, serializable

    /// A closed set of literal statements: the level never travels as text.
    var begin: SQL {
        switch self {
        case .readCommitted: "BEGIN ISOLATION LEVEL READ COMMITTED"
        case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
        case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
        }
    }
}

extension PostgresPool {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// A serialization failure (SQLSTATE 40001) or deadlock (40P01), whether from `body` or
    /// from `COMMIT`, reruns the whole transaction on a fresh connection, up to
    /// `configuration.transactionRetries` times after short jittered pauses — so `body` must
    /// have no effects outside the database. The last failure is rethrown.
    public func withTransaction<T>(isolation level: PostgresIsolationLevel = .readCommitted,
                                   callerIsolation: isolated (any Actor)? = #isolation,
                                   _ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await withConnection { connection in
                    try await connection.transaction(level, body)
                }
            } catch let error as PostgresError where error.isTransientTransactionFailure {
                attempt += 1
                guard attempt <= configuration.transactionRetries else { throw error }
                // 5, 10, 20 ms ... plus up to as much again at random, so the transactions
                // that collided do not collide again in step.
                let pause = Int64(5 << min(attempt - 1, 10))
                try await Task.sleep(for: .milliseconds(pause + Int64.random(in: 0...pause)))
            }
        }
    }
}

extension PostgresConnection {
    func transaction<T>(_ level: PostgresIsolationLevel,
                        isolation: isolated (any Actor)? = #isolation,
                        _ body: (PostgresConnection) async throws -> T) async throws -> T {
        _ = try await query(level.begin)
        do {
            let value = try await body(self)
            let commit = try await run(.prepared("COMMIT", .none), timeout: state.statementDeadline)
            // COMMIT of a transaction in which a statement failed (and `body` swallowed the
            // error) rolls back and says so only in its command tag.
            if commit?.commandStatus == "ROLLBACK" {
                throw PostgresError.server(sqlState: "25P02",
                                           message: "the transaction was rolled back because a statement in it failed",
                                           constraint: nil, detail: nil)
            }
            return value
        } catch {
            // If this fails too the connection is broken, and the pool will not reuse it.
            _ = try? await query("ROLLBACK")
            throw error
        }
    }
}
