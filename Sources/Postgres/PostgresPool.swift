import IOLoop
import Synchronization

/// A bounded pool of PostgreSQL connections, the module's entry point.
///
/// ```swift
/// let pool = try PostgresPool(configuration: .init(conninfo: url))
/// let rows = try await pool.query("SELECT id, name FROM products WHERE id = $1", id).rows
/// ```
///
/// Every libpq call runs on the pool's own reactor thread (see `docs/adr/0002-postgres-client.md`);
/// callers only suspend, so no server event loop or cooperative-pool thread ever blocks on
/// the database. Connections open lazily, up to `poolSize`.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    let reactor: ThreadReactor
    let state: PoolState
    private let nextWaiterID = Atomic<UInt64>(0)

    /// Starts the reactor thread; opens no connection yet. Throws `.connectionFailed` when
    /// libpq cannot parse the connection string (without quoting it).
    public init(configuration: PostgresConfiguration) throws(PostgresError) {
        guard let info = Conninfo(configuration.conninfo) else {
            throw .connectionFailed("the connection string cannot be parsed")
        }
        guard configuration.poolSize > 0 else {
            throw .connectionFailed("the pool size must be at least 1")
        }
        self.configuration = configuration
        do {
            reactor = try ThreadReactor()
        } catch {
            throw .connectionFailed(error.message)
        }
        let settings = ConnectionSettings(conninfo: configuration.conninfo, info: info,
                                          statementTimeout: configuration.statementTimeout,
                                          connectTimeout: configuration.connectTimeout)
        state = PoolState(driver: reactor, settings: settings, configuration: configuration)
    }

    deinit {
        // A pool dropped without `shutdown()` still closes its connections and ends its thread.
        let state = state, reactor = reactor
        reactor.execute {
            state.shutdown()
            reactor.stop {}
        }
    }

    /// Runs one statement on any free connection.
    public func query(_ sql: SQL, _ binds: any PostgresEncodable...) async throws -> PostgresQueryResult {
        try await query(sql, binds)
    }

    /// Runs one statement on any free connection, with the parameters as an array.
    public func query(_ sql: SQL, _ binds: [any PostgresEncodable]) async throws -> PostgresQueryResult {
        let parameters = try BoundParameters(binds)
        let storage = try await run(.prepared(sql.text, parameters), acquireTimeout: configuration.acquireTimeout,
                                    deadline: nil)
        return PostgresQueryResult(storage)
    }

    /// Lends one connection to `body` and takes it back afterwards, also when `body` throws.
    /// A connection left inside a transaction or still busy is closed rather than reused.
    public func withConnection<T>(isolation: isolated (any Actor)? = #isolation,
                                  _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let core = try await acquire()
        let connection = PostgresConnection(core: core, state: state)
        do {
            let value = try await body(connection)
            connection.release()
            return value
        } catch {
            connection.release()
            throw error
        }
    }

    /// One `SELECT 1` round trip, for `/ready`: throws `.timeout` when no answer came within
    /// `timeout` (waiting for a connection included), or the error that prevented it.
    public func ping(timeout: Duration = .seconds(1)) async throws {
        let deadline = ContinuousClock.now + timeout
        do {
            _ = try await run(.prepared("SELECT 1", .none), acquireTimeout: min(timeout, configuration.acquireTimeout),
                              deadline: deadline)
        } catch PostgresError.poolTimeout {
            throw PostgresError.timeout
        }
    }

    /// The latest counts, cheap enough to read on every `/metrics` scrape.
    public var statistics: PostgresPoolStatistics { state.statistics.snapshot }

    /// Fails waiting callers with `.closed`, closes every connection and ends the reactor
    /// thread. Later calls fail with `.closed`.
    public func shutdown() async {
        let state = state, reactor = reactor
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let accepted = reactor.execute {
                state.shutdown()
                reactor.stop { continuation.resume() }
            }
            if !accepted { continuation.resume() }
        }
    }

    // MARK: Internals

    /// Acquire, run and release in a single trip to the reactor: the common path of a
    /// repository call costs one hand-over and one resumption.
    func run(_ kind: Statement.Kind, acquireTimeout: Duration,
             deadline: ContinuousClock.Instant?) async throws -> ResultStorage? {
        let state = state, defaultLimit = state.statementDeadline
        let storage: ResultStorage? = try await waitForGrant(acquireTimeout: acquireTimeout) { continuation, result in
            switch result {
            case .failure(let error):
                continuation.resume(throwing: error)
            case .success(let core):
                let limit = deadline.map { ContinuousClock.now.duration(to: $0) } ?? defaultLimit
                if let limit, limit <= .zero {
                    state.release(core)
                    return continuation.resume(throwing: PostgresError.timeout)
                }
                core.enqueue(Statement(kind: kind, timeout: limit) { result in
                    state.release(core)
                    continuation.resume(with: result)
                })
            }
        }
        return storage?.received()
    }

    private func acquire() async throws -> ConnectionCore {
        try await waitForGrant(acquireTimeout: configuration.acquireTimeout) { continuation, result in
            continuation.resume(with: result)
        }
    }

    /// Queues a request for a connection on the reactor; `onGrant` runs there with the
    /// connection or the failure. Cancelling the task withdraws a request still waiting.
    private func waitForGrant<T: Sendable>(
        acquireTimeout: Duration,
        _ onGrant: @escaping @Sendable (CheckedContinuation<T, any Error>, Result<ConnectionCore, any Error>) -> Void
    ) async throws -> T {
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        let state = state, reactor = reactor, requested = ContinuousClock.now
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let accepted = reactor.execute {
                    state.acquire(id: id, timeout: acquireTimeout, requested: requested) { onGrant(continuation, $0) }
                }
                if !accepted { continuation.resume(throwing: PostgresError.closed) }
            }
        } onCancel: {
            reactor.execute { state.cancel(id) }
        }
    }
}
