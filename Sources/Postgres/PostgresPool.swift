import IOLoop
import Synchronization

/// A bounded pool of PostgreSQL connections, the module's entry point.
///
/// ```swift
/// let pool = try PostgresPool(configuration: .init(conninfo: url))
/// let rows = try await pool.query("SELECT id, name FROM products WHERE id = $1", id).rows
/// ```
///
/// Every libpq call runs on a driver thread, never blocking (`docs/adr/0002-postgres-client.md`):
/// the pool's own reactor thread, and after `attach(loops:)` also the HTTP event loops, each
/// with a shard of the connections, so a statement from a task on a loop is sent, awaited
/// and resumed on that loop with no thread hop (`docs/adr/0010-postgres-thread-hop.md`).
/// Callers only suspend. Connections open lazily, up to `poolSize` in all.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    let reactor: ThreadReactor
    /// The reactor's shard: for every caller not on an attached loop (CLI, migrations,
    /// workers, tests calling the pool directly).
    let state: PoolState
    let settings: ConnectionSettings
    /// The loops' shards, set once by `attach`; read without a lock on every statement.
    let loopShards = AtomicLazyReference<LoopShards>()
    private let nextWaiterID = Atomic<UInt64>(0)
    /// Statements and acquisitions handed to another thread's driver: the hop ADR 0010 removes.
    private let handOverCount = Atomic<UInt64>(0)

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
        settings = ConnectionSettings(conninfo: configuration.conninfo, info: info,
                                      statementTimeout: configuration.statementTimeout,
                                      connectTimeout: configuration.connectTimeout)
        state = PoolState(driver: reactor, settings: settings, configuration: configuration,
                          size: configuration.poolSize)
    }

    deinit {
        // A pool dropped without `shutdown()` still closes its connections and ends its thread.
        for shard in loopShards.load()?.states ?? [] { shard.driver.execute { shard.shutdown() } }
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
        let state = shard()
        let core = try await acquire(from: state)
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

    /// How many times a caller's acquisition went to another thread's driver. Flat while
    /// every statement comes from a task on an attached loop.
    @_spi(Testing)
    public var handOvers: UInt64 { handOverCount.load(ordering: .relaxed) }

    /// Runs `job` on the reactor's thread, after every job queued before it; false once the
    /// reactor has stopped. Lets a test process mark that thread (see `LeakSanitizer` in
    /// TestSupport).
    @_spi(Testing)
    public func onReactorThread(_ job: @escaping @Sendable () -> Void) -> Bool {
        reactor.execute(job)
    }

    /// Fails waiting callers with `.closed`, closes every connection (the loops' shards on
    /// their loops, unless a loop already did so when it stopped) and ends the reactor
    /// thread. Later calls fail with `.closed`.
    public func shutdown() async {
        for shard in loopShards.load()?.states ?? [] {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let accepted = shard.driver.execute {
                    shard.shutdown()
                    continuation.resume()
                }
                if !accepted { continuation.resume() }
            }
        }
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

    /// Acquire, run and release in a single trip to the shard's driver: the common path of
    /// a repository call costs one hand-over and one resumption off a loop, none on one.
    func run(_ kind: Statement.Kind, acquireTimeout: Duration,
             deadline: ContinuousClock.Instant?) async throws -> ResultStorage? {
        let state = shard(), defaultLimit = state.statementDeadline
        let storage: ResultStorage? = try await waitForGrant(from: state, acquireTimeout: acquireTimeout) {
            continuation, result in
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

    private func acquire(from state: PoolState) async throws -> ConnectionCore {
        try await waitForGrant(from: state, acquireTimeout: configuration.acquireTimeout) { continuation, result in
            continuation.resume(with: result)
        }
    }

    /// Asks `state`'s driver for a connection (inline when on its thread); `onGrant` runs
    /// there with the connection or the failure. Cancelling the task withdraws a request
    /// still waiting.
    private func waitForGrant<T: Sendable>(
        from state: PoolState, acquireTimeout: Duration,
        _ onGrant: @escaping @Sendable (CheckedContinuation<T, any Error>, Result<ConnectionCore, any Error>) -> Void
    ) async throws -> T {
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        let driver = state.driver, requested = ContinuousClock.now
        if !driver.isCurrent { handOverCount.add(1, ordering: .relaxed) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let accepted = driver.execute {
                    state.acquire(id: id, timeout: acquireTimeout, requested: requested) { onGrant(continuation, $0) }
                }
                if !accepted { continuation.resume(throwing: PostgresError.closed) }
            }
        } onCancel: {
            driver.execute { state.cancel(id) }
        }
    }
}
