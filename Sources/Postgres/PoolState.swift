import IOLoop
/// One shard of the pool's bookkeeping, owned by its driver's thread like the connections it tracks, so
/// that "a connection died", "a caller gave up" and "a connection came back" can never race.
///
/// Connections open lazily: one is opened when a caller waits and fewer than `size`
/// exist (the shard's part of `poolSize`, see `PostgresPool.shardSizes`). After a failed
/// attempt the next waits an exponentially growing, jittered delay; while that delay runs and no connection is open at all, callers fail at once with the
/// last error instead of queueing for a database that is known to be down.
///
/// `@unchecked Sendable`: only touched on its driver's thread (see `IODriver`).
final class PoolState: @unchecked Sendable {
    typealias Grant = (Result<ConnectionCore, any Error>) -> Void

    private struct Waiter {
        let id: UInt64
        let requested: ContinuousClock.Instant
        let timer: UInt64
        let grant: Grant
    }

    let driver: any IODriver
    let settings: ConnectionSettings
    let configuration: PostgresConfiguration
    let statistics: StatisticsBox

    private var connections: [Int: ConnectionCore] = [:]  // open or opening
    private var idle: [ConnectionCore] = []  // a stack: the warmest connection goes out first
    private var inUse = 0
    private var opening = 0
    private var waiters: [Waiter] = []
    private var nextConnectionID = 0
    private var failures = 0
    private var lastFailure: PostgresError?
    private var retryTimer: UInt64?
    private(set) var isClosed = false
    private var size: Int

    init(driver: any IODriver, settings: ConnectionSettings, configuration: PostgresConfiguration, size: Int) {
        self.driver = driver
        self.settings = settings
        self.configuration = configuration
        self.size = size
        statistics = StatisticsBox(size: size)
    }

    /// The reactor shard shrinks to its part of the pool once the loops' shards exist.
    /// Surplus idle connections close now, busy ones when they come back.
    func resize(to newSize: Int) {
        size = newSize
        while connections.count > size, let core = idle.popLast() { core.close(with: .closed) }
        publish { $0.size = newSize }
    }

    /// The client-side limit for one statement: the server's `statement_timeout` plus a
    /// second for its error to arrive. No limit when the server has none.
    var statementDeadline: Duration? {
        configuration.statementTimeout > .zero ? configuration.statementTimeout + .seconds(1) : nil
    }

    /// Hands `grant` a connection now, or once one is free, or fails it after `timeout`.
    func acquire(id: UInt64, timeout: Duration, requested: ContinuousClock.Instant, _ grant: @escaping Grant) {
        guard !isClosed else { return grant(.failure(PostgresError.closed)) }
        while let core = idle.popLast() {
            // A dead one closes itself here and `connectionClosed` forgets it.
            if core.checkAlive() { return hand(core, requested: requested, grant) }
        }
        if connections.isEmpty, retryTimer != nil, let lastFailure {
            return grant(.failure(lastFailure))
        }
        let timer = driver.schedule(after: timeout) { [weak self] in self?.expire(id) }
        waiters.append(Waiter(id: id, requested: requested, timer: timer, grant: grant))
        openConnectionsForWaiters()
        publish()
    }

    /// Takes a connection back: clean ones serve the next waiter or go idle, others close.
    func release(_ core: ConnectionCore) {
        inUse -= 1
        if !isClosed, core.isClean, connections.count <= size {
            makeAvailable(core)
        } else {
            core.close(with: .closed)
        }
        publish()
    }

    /// A caller stopped waiting (task cancelled).
    func cancel(_ id: UInt64) {
        guard let waiter = removeWaiter(id) else { return }
        publish()
        waiter.grant(.failure(CancellationError()))
    }

    func shutdown() {
        guard !isClosed else { return }
        isClosed = true
        if let retryTimer { driver.cancelTimer(retryTimer) }
        for core in Array(connections.values) { core.close(with: .closed) }
        failWaiters(with: PostgresError.closed)
    }

    // MARK: Private

    private func hand(_ core: ConnectionCore, requested: ContinuousClock.Instant, _ grant: Grant) {
        inUse += 1
        let waited = requested.duration(to: .now)
        publish {
            $0.acquireCount += 1
            $0.acquireWaitTotal += waited
        }
        grant(.success(core))
    }

    private func makeAvailable(_ core: ConnectionCore) {
        if waiters.isEmpty {
            idle.append(core)
        } else {
            let waiter = waiters.removeFirst()
            driver.cancelTimer(waiter.timer)
            hand(core, requested: waiter.requested, waiter.grant)
        }
    }

    private func expire(_ id: UInt64) {
        guard let waiter = removeWaiter(id) else { return }
        publish { $0.acquireTimeouts += 1 }
        waiter.grant(.failure(PostgresError.poolTimeout))
    }

    /// Statistics first, then the callers: a resumed caller must already see the new counts.
    private func failWaiters(with error: any Error) {
        let waiting = waiters
        waiters = []
        for waiter in waiting { driver.cancelTimer(waiter.timer) }
        publish()
        for waiter in waiting { waiter.grant(.failure(error)) }
    }

    private func removeWaiter(_ id: UInt64) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        let waiter = waiters.remove(at: index)
        driver.cancelTimer(waiter.timer)
        return waiter
    }

    /// Opens as many connections as there are waiters not already covered by one being
    /// opened, within `size`, unless a reconnect delay is running.
    private func openConnectionsForWaiters() {
        guard !isClosed, retryTimer == nil else { return }
        let wanted = min(waiters.count - opening, size - connections.count)
        // An attempt that fails at once (an unknown host name) fails inside `openConnection`
        // and starts the reconnect delay; stop there rather than fail once per waiter.
        for _ in 0..<max(wanted, 0) where retryTimer == nil && !isClosed { openConnection() }
    }

    private func openConnection() {
        nextConnectionID += 1
        let core = ConnectionCore(id: nextConnectionID, driver: driver, settings: settings)
        connections[core.id] = core
        opening += 1
        core.onClose = { [weak self] in self?.connectionClosed($0) }
        core.open { [weak self, weak core] result in
            guard let self, let core else { return }
            opening -= 1
            switch result {
            case .success:
                failures = 0
                lastFailure = nil
                makeAvailable(core)
            case .failure(let error):
                connections[core.id] = nil
                connectFailed(error)
            }
            publish()
        }
    }

    private func connectFailed(_ error: PostgresError) {
        failures += 1
        lastFailure = error
        statistics.update { $0.connectFailures += 1 }
        // Nobody can hand a connection back when none exists: tell the waiters now.
        if connections.isEmpty { failWaiters(with: error) }
        guard !isClosed else { return }
        retryTimer = driver.schedule(after: reconnectDelay()) { [weak self] in
            guard let self else { return }
            retryTimer = nil
            openConnectionsForWaiters()
        }
    }

    /// Exponential backoff with "equal jitter": half the delay fixed, half random, so
    /// many pools restarting together do not reconnect in lockstep.
    private func reconnectDelay() -> Duration {
        let base = configuration.reconnectBaseDelay.milliseconds
        let ceiling = configuration.reconnectMaxDelay.milliseconds
        let delay = min(ceiling, base << min(failures - 1, 20))
        let half = max(delay / 2, 1)
        return .milliseconds(half + Int64.random(in: 0...half))
    }

    private func connectionClosed(_ core: ConnectionCore) {
        guard connections.removeValue(forKey: core.id) != nil else { return }
        idle.removeAll { $0 === core }
        openConnectionsForWaiters()
        publish()
    }

    /// Copies the counts (and any `change` to the totals) into the snapshot other threads read.
    private func publish(_ change: (inout PostgresPoolStatistics) -> Void = { _ in }) {
        let open = connections.count, inUse = inUse, idle = idle.count, waiting = waiters.count
        statistics.update {
            $0.open = open
            $0.inUse = inUse
            $0.idle = idle
            $0.waiters = waiting
            change(&$0)
        }
    }
}
