import CLibPQ
import Foundation
import Postgres

/// `storefront-hop CONNINFO [N]`: what a statement pays for crossing from the caller's
/// thread to the pool's reactor thread and back (ADR 0010). The same prepared primary-key
/// read of `peer_products` (the benchmark's rows), one statement at a time, two ways,
/// interleaved over three rounds:
/// - `pool`: `PostgresPool.query` from a task, the path every repository call takes (hand
///   the statement to the reactor, which sends it, waits on epoll and resumes the task);
/// - `direct`: the same statement on a libpq connection owned by the calling thread,
///   blocking in `PQexecPrepared`: the least a connection owned by the event loop could
///   cost, since it saves both hand-overs and nothing else.
/// Per run: wall-clock µs per statement and the process's CPU µs and context switches per
/// statement (getrusage), so the difference is the hop whatever else loads the machine.
enum HopBench {
    static let sql: SQL = "SELECT id, sku, name, description, price_cents, stock, created_at, updated_at "
        + "FROM peer_products WHERE id = $1"

    struct Sample {
        var wall: Duration
        var cpuMicros: Double
        var switches: Int

        static func measure(_ body: () async throws -> Void) async rethrows -> Sample {
            let before = Usage.now(), start = ContinuousClock.now
            try await body()
            let wall = ContinuousClock.now - start, after = Usage.now()
            return Sample(wall: wall, cpuMicros: after.cpuMicros - before.cpuMicros,
                          switches: after.switches - before.switches)
        }
    }

    struct Usage {
        var cpuMicros: Double
        var switches: Int

        static func now() -> Usage {
            var usage = rusage()
            getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
            func micros(_ time: timeval) -> Double { Double(time.tv_sec) * 1e6 + Double(time.tv_usec) }
            return Usage(cpuMicros: micros(usage.ru_utime) + micros(usage.ru_stime),
                         switches: usage.ru_nvcsw + usage.ru_nivcsw)
        }
    }

    static func run(conninfo: String, count: Int) async throws {
        let pool = try PostgresPool(configuration: PostgresConfiguration(conninfo: conninfo, poolSize: 1))
        guard let direct = PQconnectdb(conninfo), PQstatus(direct) == CONNECTION_OK else {
            throw PostgresError.connectionFailed("hop: the direct connection failed")
        }
        defer { PQfinish(direct) }
        guard let prepared = PQprepare(direct, "pk", sql.description, 1, nil) else {
            throw PostgresError.connectionFailed("hop: prepare failed")
        }
        PQclear(prepared)
        // Warm both: the pool prepares on first use, and both caches fill.
        try await poolRun(pool, count: 2000)
        try directRun(direct, count: 2000)
        print("# round way statements wall_us_per_stmt cpu_us_per_stmt switches_per_stmt  (one at a time, load \(load()))")
        for round in 1...3 {
            let viaPool = try await Sample.measure { try await poolRun(pool, count: count) }
            report(round, "pool", viaPool, count)
            let viaDirect = try await Sample.measure { try directRun(direct, count: count) }
            report(round, "direct", viaDirect, count)
        }
        await pool.shutdown()
    }

    static func poolRun(_ pool: PostgresPool, count: Int) async throws {
        for index in 0..<count {
            let rows = try await pool.query(sql, [Int64(index % 10_000 + 1)]).rows
            guard rows.count == 1 else { throw PostgresError.connectionFailed("hop: expected one row") }
        }
    }

    static func directRun(_ connection: OpaquePointer, count: Int) throws {
        for index in 0..<count {
            let id = String(index % 10_000 + 1)
            let result = id.withCString { text -> OpaquePointer? in
                var values: [UnsafePointer<CChar>?] = [text]
                return PQexecPrepared(connection, "pk", 1, &values, nil, nil, 0)
            }
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_TUPLES_OK, PQntuples(result) == 1 else {
                throw PostgresError.connectionFailed("hop: expected one row")
            }
        }
    }

    static func report(_ round: Int, _ way: String, _ sample: Sample, _ count: Int) {
        let wall = Double(sample.wall.components.seconds) * 1e6 + Double(sample.wall.components.attoseconds) / 1e12
        print(String(format: "%d %@ %d %.1f %.1f %.2f", round, way, count, wall / Double(count),
                     sample.cpuMicros / Double(count), Double(sample.switches) / Double(count)))
    }

    static func load() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
            .joined(separator: " ") ?? "?"
    }
}

let arguments = CommandLine.arguments.dropFirst()
guard let conninfo = arguments.first, arguments.count <= 2, let count = Int(arguments.dropFirst().first ?? "20000"),
      count > 0 else {
    FileHandle.standardError.write(Data("usage: storefront-hop CONNINFO [N]\n".utf8))
    exit(2)
}
do {
    try await HopBench.run(conninfo: conninfo, count: count)
} catch {
    FileHandle.standardError.write(Data("storefront-hop: \(error)\n".utf8))
    exit(1)
}
