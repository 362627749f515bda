/// A transaction that everything a piece of work does through one `Database` joins.
///
/// An idempotent request stores its response in the same transaction as the writes that
/// produced it (API.md, Idempotency), so that no crash can leave one without the other.
/// The handler's services do not know about this: while `Database.sharing(_:_:)` runs,
/// their `transaction` and `autocommit` calls run inside the shared transaction, each as
/// a savepoint, so a failing statement or a thrown error still undoes exactly what that
/// call did and nothing before it. One connection serves the whole request, so a small
/// pool cannot deadlock on requests that each hold one connection and wait for a second.
struct SharedTransaction: Sendable {
    /// Which pool's `Database` joins: another application in the same process (tests run
    /// several) must not pick up a transaction on a different database.
    let pool: ObjectIdentifier
    let transaction: Transaction

    @TaskLocal static var current: SharedTransaction?

    /// `body` between `SAVEPOINT` and `RELEASE`, rolled back to the savepoint when it throws.
    /// Savepoints of the same name nest (PostgreSQL releases the most recent one).
    func savepoint<T>(isolation: isolated (any Actor)? = #isolation,
                      _ body: (Transaction) async throws -> T) async throws -> T {
        _ = try await transaction.query("SAVEPOINT shared_work", [])
        do {
            let value = try await body(transaction)
            _ = try await transaction.query("RELEASE SAVEPOINT shared_work", [])
            return value
        } catch {
            // When this fails too the connection is broken, and the outer transaction fails.
            _ = try? await transaction.query("ROLLBACK TO SAVEPOINT shared_work", [])
            throw error
        }
    }
}

extension Database {
    /// The transaction shared with this database's calls, if the current task runs inside one.
    var sharedTransaction: SharedTransaction? {
        guard let shared = SharedTransaction.current, shared.pool == poolIdentity else { return nil }
        return shared
    }

    /// Runs `body` with every call through this database joining `tx` (see `SharedTransaction`).
    func sharing<T>(_ tx: Transaction, isolation: isolated (any Actor)? = #isolation,
                    _ body: () async throws -> T) async throws -> T {
        try await SharedTransaction.$current.withValue(SharedTransaction(pool: poolIdentity, transaction: tx)) {
            try await body()
        }
    }
}
