import IOLoop
/// One connection lent by `PostgresPool.withConnection` or `withTransaction`, valid only
/// inside that closure: statements on it run in order on the same session, so they share
/// its transaction. Using it after the closure returned throws `.closed`.
///
/// `@unchecked Sendable`: `isReleased` is read and written on the thread of the driver that
/// owns `core` only.
public final class PostgresConnection: @unchecked Sendable {
    let core: ConnectionCore
    let state: PoolState
    private var isReleased = false

    init(core: ConnectionCore, state: PoolState) {
        self.core = core
        self.state = state
    }

    /// Runs one statement on this connection.
    public func query(_ sql: SQL, _ binds: any PostgresEncodable...) async throws -> PostgresQueryResult {
        try await query(sql, binds)
    }

    /// Runs one statement on this connection, with the parameters as an array.
    public func query(_ sql: SQL, _ binds: [any PostgresEncodable]) async throws -> PostgresQueryResult {
        try await query(sql, binds, timeout: state.statementDeadline)
    }

    /// A statement with an explicit client-side deadline (`nil`: none), for the migration
    /// lock, which may rightly wait for as long as another run takes.
    func query(_ sql: SQL, _ binds: [any PostgresEncodable], timeout: Duration?) async throws -> PostgresQueryResult {
        let parameters = try BoundParameters(binds)
        return PostgresQueryResult(try await run(.prepared(sql.text, parameters), timeout: timeout))
    }

    /// Runs the text of a migration file, which may hold several statements, with the simple
    /// query protocol and no client-side deadline. The only way non-literal SQL reaches the
    /// server, and internal so that only `Migrator` can use it: the text comes from the
    /// project's own files, never from a request.
    func executeScript(_ fileContents: String) async throws {
        _ = try await run(.script(fileContents), timeout: nil)
    }

    func run(_ kind: Statement.Kind, timeout: Duration?) async throws -> ResultStorage? {
        let storage: ResultStorage? = try await withCheckedThrowingContinuation { continuation in
            let accepted = core.driver.execute { [self] in
                guard !isReleased else { return continuation.resume(throwing: PostgresError.closed) }
                core.enqueue(Statement(kind: kind, timeout: timeout) { continuation.resume(with: $0) })
            }
            if !accepted { continuation.resume(throwing: PostgresError.closed) }
        }
        return storage?.received()
    }

    func release() {
        core.driver.execute { [self] in
            guard !isReleased else { return }
            isReleased = true
            state.release(core)
        }
    }
}
