import Glibc
import HTTPCore
import HTTPTestSupport
@testable import HTTPServer
import IOLoop
@_spi(Testing) import Postgres
import Synchronization
import Testing
import TestSupport

/// Answers nothing useful: these tests need the server's loops, not its requests.
struct LoopsOnlyHandler: HTTPRequestHandler {
    nonisolated(nonsending) func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        HTTPResponse(status: .notFound, headers: HTTPHeaders(), body: [])
    }
}

/// A started two-loop server and a fresh database whose pool is attached to its loops
/// (unless `attach` is false); the server stops first, as in `Application.shutdown`.
func withLoopPool(poolSize: Int, acquireTimeout: Duration = .seconds(10), attach: Bool = true,
                  _ body: (TestDatabase, HTTPServer, [EventLoop]) async throws -> Void) async throws {
    try await TestDatabase.with(poolSize: poolSize, acquireTimeout: acquireTimeout) { database in
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoops: 2,
                                                                       maxBodyBytes: 1024),
                                handler: LoopsOnlyHandler())
        try server.start()
        if attach { database.pool.attach(loops: server.ioLoops) }
        do {
            try await body(database, server, server.core.loops)
        } catch {
            await server.shutdown(grace: .zero)
            throw error
        }
        await server.shutdown(grace: .zero)
    }
}

/// Runs `body` as a task on `loop`, as a request handler runs.
func onLoop<T: Sendable>(_ loop: EventLoop, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task(executorPreference: loop.executor) { try await body() }.value
}

/// Lends the one connection of `loops[index]`'s shard to a task on it until the gate opens.
func holdTheOnlyConnection(of loops: [EventLoop], _ index: Int, in pool: PostgresPool) async throws
    -> (TestGate, Task<Void, any Error>) {
    let release = TestGate()
    let holder = Task(executorPreference: loops[index].executor) {
        try await pool.withConnection { _ in await release.wait() }
    }
    #expect(await eventually { pool.loopShardStatistics[index].inUse == 1 })
    return (release, holder)
}

/// ADR 0010: a loop's statements run on that loop's own shard of the pool.
@Suite struct LoopShardTests {
    @Test(arguments: [
        (1, 2, 1, [Int]()), (2, 2, 1, [1]), (3, 2, 1, [1, 1]), (10, 2, 3, [4, 3]),
        (10, 1, 5, [5]), (5, 0, 5, []), (4, 4, 1, [1, 1, 1]), (64, 4, 12, [13, 13, 13, 13]),
    ])
    func theSplitGivesTheReactorItsShareAndTheLoopsTheRest(size: Int, loops: Int, reactor: Int, shards: [Int]) {
        let split = PostgresPool.shardSizes(poolSize: size, loops: loops)
        #expect(split.reactor == reactor)
        #expect(split.loops == shards)
    }

    @Test func theSplitNeverExceedsThePoolSizeAndGivesEveryShardOne() {
        for size in 1...40 {
            for loops in 0...8 {
                let split = PostgresPool.shardSizes(poolSize: size, loops: loops)
                #expect(split.reactor + split.loops.reduce(0, +) == size, "\(size) over \(loops) loops")
                #expect(split.loops.count <= loops && split.loops.allSatisfy { $0 >= 1 } && split.reactor >= 1)
            }
        }
    }

    @Test func aStatementFromALoopTaskStaysOnThatLoopOnceAttached() async throws {
        try await withLoopPool(poolSize: 6, attach: false) { database, server, loops in
            let pool = database.pool
            let probe: @Sendable () async throws -> (onLoopBefore: Bool, sameThread: Bool, handOvers: UInt64) = {
                let thread = pthread_self(), before = pool.handOvers
                let onLoop = loops.contains { $0.isCurrent }
                _ = try await pool.query("SELECT 1")
                return (onLoop, pthread_equal(thread, pthread_self()) != 0, pool.handOvers - before)
            }
            // Not attached: the statement hops to the reactor thread and back.
            #expect(try await onLoop(loops[0], probe).handOvers == 1)

            pool.attach(loops: server.ioLoops)
            #expect(pool.statistics.size == 6)
            for loop in loops {
                for _ in 0..<3 {
                    let result = try await onLoop(loop, probe)
                    #expect(result.onLoopBefore && result.sameThread)
                    #expect(result.handOvers == 0)
                }
            }
            #expect(pool.loopShardStatistics.map(\.acquireCount) == [3, 3])
            #expect(pool.loopShardStatistics.map(\.size) == [2, 2])
            // Off the loops (this test's own task): the reactor's shard, with its hop.
            let before = pool.handOvers
            _ = try await pool.query("SELECT 1")
            #expect(pool.handOvers == before + 1)
        }
    }

    @Test func aTransactionOnALoopUsesOneConnectionOfThatLoopsShard() async throws {
        try await withLoopPool(poolSize: 3) { database, _, loops in
            let pool = database.pool
            let before = pool.handOvers
            let pids: [Int] = try await onLoop(loops[1]) {
                try await pool.withTransaction { connection in
                    var pids: [Int] = []
                    for _ in 0..<3 {
                        let row = try await connection.query("SELECT pg_backend_pid() AS pid").rows[0]
                        pids.append(try row.decode("pid", as: Int.self))
                    }
                    return pids
                }
            }
            #expect(Set(pids).count == 1)
            #expect(pool.handOvers == before)
            #expect(pool.loopShardStatistics.map(\.acquireCount) == [0, 1])
        }
    }

    /// Each loop has one connection here: a second caller on the same loop times out as
    /// the whole pool did before, while the other loop and the reactor's shard still serve.
    @Test func aLoopShardThatIsExhaustedTimesOutItsOwnCallersOnly() async throws {
        // The wait also bounds opening a connection for the other shards' first statements:
        // 200 ms was less than a backend's start-up on a loaded machine.
        try await withLoopPool(poolSize: 3, acquireTimeout: .seconds(3)) { database, _, loops in
            let pool = database.pool
            let (release, holder) = try await holdTheOnlyConnection(of: loops, 0, in: pool)
            await #expect(throws: PostgresError.poolTimeout) {
                try await onLoop(loops[0]) { _ = try await pool.query("SELECT 1") }
            }
            #expect(pool.loopShardStatistics[0].acquireTimeouts == 1)
            _ = try await onLoop(loops[1]) { try await pool.query("SELECT 1") }
            _ = try await pool.query("SELECT 1")
            release.open()
            try await holder.value
            _ = try await onLoop(loops[0]) { try await pool.query("SELECT 1") }
            #expect(pool.statistics.acquireTimeouts == 1)
        }
    }

    /// Shards do not lend each other connections (ADR 0010's known limit): a caller waits on
    /// its loop's busy shard while the other loop's connection is idle. `shardStatistics`
    /// (what `/metrics` shows per shard) names each shard and shows exactly that.
    @Test func perShardFiguresShowALoopWaitingWhileAnotherIsIdle() async throws {
        try await withLoopPool(poolSize: 3, acquireTimeout: .seconds(60)) { database, _, loops in
            let pool = database.pool
            _ = try await onLoop(loops[1]) { try await pool.query("SELECT 1") }
            let (release, holder) = try await holdTheOnlyConnection(of: loops, 0, in: pool)
            let waiter = Task(executorPreference: loops[0].executor) { try await pool.query("SELECT 1") }
            #expect(await eventually { pool.loopShardStatistics[0].waiters == 1 })
            let shards = pool.shardStatistics
            #expect(shards.map(\.shard) == ["reactor", "loop0", "loop1"])
            #expect(shards.map(\.statistics.size) == [1, 1, 1])
            #expect(shards.map(\.statistics.waiters) == [0, 1, 0])
            #expect(shards.map(\.statistics.inUse) == [0, 1, 0])
            #expect(await eventually { pool.shardStatistics[2].statistics.idle == 1 })
            #expect(pool.statistics.waiters == 1)
            release.open()
            try await holder.value
            _ = try await waiter.value
            #expect(pool.shardStatistics.map(\.statistics.waiters) == [0, 0, 0])
        }
    }

    @Test func aCancelledWaiterOnALoopShardLeavesAtOnce() async throws {
        try await withLoopPool(poolSize: 3, acquireTimeout: .seconds(60)) { database, _, loops in
            let pool = database.pool
            let (release, holder) = try await holdTheOnlyConnection(of: loops, 0, in: pool)
            let waiter = Task(executorPreference: loops[0].executor) { try await pool.query("SELECT 1") }
            #expect(await eventually { pool.loopShardStatistics[0].waiters == 1 })
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            #expect(pool.loopShardStatistics[0].waiters == 0)
            release.open()
            try await holder.value
            #expect(await eventually { pool.loopShardStatistics[0].idle == 1 })
            _ = try await onLoop(loops[0]) { try await pool.query("SELECT 1") }
        }
    }
}
