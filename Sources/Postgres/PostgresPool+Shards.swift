import IOLoop

/// The loops' shards of a pool, made once by `attach(loops:)`.
final class LoopShards: Sendable {
    let states: [PoolState]
    init(states: [PoolState]) { self.states = states }
}

extension PostgresPool {
    /// How `poolSize` connections are split: the reactor's shard gets
    /// `max(1, poolSize / (loops + 1))` and the loops share the rest as evenly as it goes, so
    /// the total never exceeds `poolSize`. With fewer connections left than loops, only the
    /// first loops get a shard (of one); the others' callers use the reactor's shard and
    /// pay the hop, as every caller did before ADR 0010. With `poolSize` 1 there are no
    /// loop shards at all.
    public static func shardSizes(poolSize: Int, loops: Int) -> (reactor: Int, loops: [Int]) {
        let reactor = max(1, poolSize / (max(loops, 0) + 1))
        let rest = max(poolSize - reactor, 0)
        guard loops > 0, rest > 0 else { return (reactor, []) }
        if rest < loops { return (reactor, Array(repeating: 1, count: rest)) }
        return (reactor, (0..<loops).map { rest / loops + ($0 < rest % loops ? 1 : 0) })
    }

    /// Gives each of `loops` (the HTTP server's drivers, after its `start()`) a shard of the
    /// connections, driven on that loop, and shrinks the reactor's shard to its part. Only
    /// the first call has an effect. A loop closes its shard's connections on its own thread
    /// when it stops; afterwards its callers get `.closed`.
    public func attach(loops: [any IODriver]) {
        let sizes = Self.shardSizes(poolSize: configuration.poolSize, loops: loops.count)
        let states = zip(loops, sizes.loops).map { driver, size in
            PoolState(driver: driver, settings: settings, configuration: configuration, size: size)
        }
        guard loopShards.storeIfNil(LoopShards(states: states)).states.elementsEqual(states, by: ===) else {
            return
        }
        let reactorState = state
        // The figure now, so `statistics` adds up at once; the connections on the reactor.
        reactorState.statistics.update { $0.size = sizes.reactor }
        reactor.execute { reactorState.resize(to: sizes.reactor) }
        for shard in states {
            let driver = shard.driver
            // Refused by a loop that has already stopped: then no thread is that loop's, so
            // `shard()` never picks this shard and nothing can wait on it.
            driver.execute { [weak shard] in
                driver.whenStopping { shard?.shutdown() }
            }
        }
    }

    /// The shard of the driver this thread is (a thread-identity check per loop shard, no
    /// lock), else the reactor's.
    func shard() -> PoolState {
        if let shards = loopShards.load() {
            for shard in shards.states where shard.driver.isCurrent { return shard }
        }
        return state
    }

    /// The latest counts summed over the shards, cheap enough for every `/metrics` scrape.
    public var statistics: PostgresPoolStatistics {
        PostgresPoolStatistics(summing: shardStatistics.map(\.statistics))
    }

    /// Every shard's latest counts, by name: `reactor` (the callers off the loops), then
    /// `loop0`, `loop1`, ... in the order of the loops given to `attach`. Shards do not lend
    /// each other connections (ADR 0010): a loop's callers wait while its shard is busy,
    /// whatever the others have idle, and these figures are where that shows.
    public var shardStatistics: [(shard: String, statistics: PostgresPoolStatistics)] {
        [("reactor", state.statistics.snapshot)]
            + (loopShards.load()?.states ?? []).enumerated().map { ("loop\($0.offset)", $0.element.statistics.snapshot) }
    }

    /// Each loop shard's counts, in the order of the loops given to `attach`.
    @_spi(Testing)
    public var loopShardStatistics: [PostgresPoolStatistics] {
        shardStatistics.dropFirst().map(\.statistics)
    }
}
