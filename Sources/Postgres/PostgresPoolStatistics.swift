import Locking

/// A snapshot of a pool's state for `/metrics`: how many connections exist and are busy,
/// how many callers wait, and how long acquiring took in total.
public struct PostgresPoolStatistics: Sendable, Equatable {
    /// The configured maximum number of connections.
    public var size: Int
    /// Connections open or being opened.
    public var open = 0
    public var inUse = 0
    public var idle = 0
    /// Callers waiting for a connection.
    public var waiters = 0
    /// Connections handed out since the pool started, and the time callers spent waiting
    /// for them (from asking to getting), so wait total / count is the mean wait.
    public var acquireCount: UInt64 = 0
    public var acquireWaitTotal: Duration = .zero
    /// Callers that gave up after `acquireTimeout`.
    public var acquireTimeouts: UInt64 = 0
    /// Connection attempts that failed.
    public var connectFailures: UInt64 = 0
}

// In an extension, so the memberwise `init(size:)` stays.
extension PostgresPoolStatistics {
    /// The counts of several shards added up, as one pool's (`PostgresPool.statistics`).
    public init(summing parts: [PostgresPoolStatistics]) {
        self.init(size: 0)
        for part in parts {
            size += part.size
            open += part.open
            inUse += part.inUse
            idle += part.idle
            waiters += part.waiters
            acquireCount += part.acquireCount
            acquireWaitTotal += part.acquireWaitTotal
            acquireTimeouts += part.acquireTimeouts
            connectFailures += part.connectFailures
        }
    }
}

/// Each shard's driver writes its statistics after each change; any thread reads the latest copy.
final class StatisticsBox: Sendable {
    private let value: Locked<PostgresPoolStatistics>

    init(size: Int) { value = Locked(PostgresPoolStatistics(size: size)) }

    var snapshot: PostgresPoolStatistics { value.withLock { $0 } }

    func update(_ change: (inout PostgresPoolStatistics) -> Void) {
        value.withLock { change(&$0) }
    }
}
