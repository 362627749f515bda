import Postgres

/// The database as services see it: a unit of work, never a pool. A service says which
/// statements commit together with `transaction`, and runs everything else through
/// `autocommit`; both hand the repositories a session, so a repository call looks the same
/// either way and no write can silently run outside the transaction it belongs to.
struct Database: Sendable {
    private let pool: PostgresPool

    init(pool: PostgresPool) { self.pool = pool }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it
    /// throws. Serialization failures and deadlocks rerun the whole of `body` (ADR 0002),
    /// so it must have no effects outside the database.
    func transaction<T>(isolation: isolated (any Actor)? = #isolation,
                        _ body: (Transaction) async throws -> T) async throws -> T {
        try await pool.withTransaction(callerIsolation: isolation) { connection in
            try await body(Transaction(connection: connection))
        }
    }

    /// Runs `body` outside a transaction: each statement commits on its own. For reads and
    /// for single writes that nothing else has to commit with.
    func autocommit<T>(_ body: (any DatabaseSession) async throws -> T) async throws -> T {
        try await body(pool)
    }
}
