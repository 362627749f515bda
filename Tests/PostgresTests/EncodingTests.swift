import Foundation
import Postgres
import Testing
import TestSupport

/// Values bound as parameters come back exactly as sent, whatever they contain.
@Suite struct EncodingTests {
    @Test func everyEncodableTypeRoundTripsThroughATable() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool
            _ = try await pool.query("""
                CREATE TABLE sample (t text, i bigint, i32 integer, b boolean, f float8, u uuid,
                                     d timestamptz, x bytea, n text, ta text[], ia bigint[], da timestamptz[])
                """)
            let id = UUID()
            let date = Date(timeIntervalSince1970: 1_770_067_800.456)
            let texts: [String?] = ["a", "b\"c", "", nil]
            let insert = try await pool.query(
                "INSERT INTO sample VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                "text", Int.max, Int32.min, true, -0.000123, id, date, [UInt8]([0, 1, 254, 255]),
                String?.none, texts, [Int64.min, 0, Int64.max],
                [date, Date(timeIntervalSince1970: -86_400.5)])
            #expect(insert.affectedRows == 1)
            let row = try await pool.query("SELECT * FROM sample").rows[0]
            #expect(try row.decode("t", as: String.self) == "text")
            #expect(try row.decode("i", as: Int.self) == .max)
            #expect(try row.decode("i32", as: Int32.self) == .min)
            #expect(try row.decode("b", as: Bool.self) == true)
            #expect(try row.decode("f", as: Double.self) == -0.000123)
            #expect(try row.decode("u", as: UUID.self) == id)
            #expect(try row.decode("d", as: Date.self) == date)
            #expect(try row.decode("x", as: [UInt8].self) == [0, 1, 254, 255])
            #expect(try row.decode("n", as: String?.self) == nil)
            #expect(try row.decode("ta", as: [String?].self) == texts)
            #expect(try row.decode("ia", as: [Int64].self) == [.min, 0, .max])
            #expect(try row.decode("da", as: [Date].self) == [date, Date(timeIntervalSince1970: -86_400.5)])
        }
    }

    @Test func datesAreSentRoundedToTheMillisecondInUTC() async throws {
        try await TestDatabase.with { database in
            let row = try await database.pool.query("""
                SELECT $1::timestamptz AS d,
                       to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS text
                """, Date(timeIntervalSince1970: 1_770_067_800.1234567)).rows[0]
            #expect(try row.decode("text", as: String.self) == "2026-02-02 21:30:00.123000")
            #expect(try row.decode("d", as: Date.self) == Date(timeIntervalSince1970: 1_770_067_800.123))
        }
    }

    @Test func hostileStringsRoundTripUnchangedAndRunNothing() async throws {
        try await TestDatabase.with { database in
            let pool = database.pool
            _ = try await pool.query("CREATE TABLE x (value text NOT NULL)")
            let hostile = [
                "'; DROP TABLE x; --", "O'Brien", "\"double\"", "back\\slash\\", "\\x00", "$1", "E'\\n'",
                "line\nbreak\ttab", "ünïcödé 日本 🙂", "{\"json\": [1, 2]}", "NULL", "", "%_*", "\\",
            ]
            for value in hostile {
                #expect(try await pool.query("SELECT $1::text AS v", value).rows[0].decode("v", as: String.self) == value)
                _ = try await pool.query("INSERT INTO x (value) VALUES ($1)", value)
            }
            let stored = try await pool.query("SELECT value FROM x").rows.map { try $0.decode("value", as: String.self) }
            #expect(stored.sorted() == hostile.sorted())
            // Arrays quote their elements too.
            let array = try await pool.query("SELECT $1::text[] AS a", hostile).rows[0]
            #expect(try array.decode("a", as: [String].self) == hostile)
        }
    }

    /// Far larger than a socket buffer, so sending needs several rounds of EPOLLOUT and
    /// reading several rounds of EPOLLIN.
    @Test func largeValuesTravelBothWays() async throws {
        try await TestDatabase.with { database in
            let text = String(repeating: "0123456789abcdef", count: 1 << 19)  // 8 MiB
            let bytes = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }  // 1 MiB, 2 MiB as hex
            let row = try await database.pool.query(
                "SELECT length($1::text) AS length, md5($1::text) AS digest, $2::bytea AS echoed", text, bytes).rows[0]
            #expect(try row.decode("length", as: Int.self) == text.utf8.count)
            let again = try await database.pool.query("SELECT md5($1::text) AS digest", text).rows[0]
            #expect(try row.decode("digest", as: String.self) == again.decode("digest", as: String.self))
            #expect(try row.decode("echoed", as: [UInt8].self) == bytes)
        }
    }

    /// The hand-written calendar arithmetic agrees with PostgreSQL's, both ways, across
    /// leap years, centuries and dates before 1970.
    @Test func datesAgreeWithPostgreSQLAcrossTheCalendar() async throws {
        try await TestDatabase.with { database in
            let rows = try await database.pool.query("""
                SELECT t, (extract(epoch FROM t) * 1000)::bigint AS ms
                FROM generate_series('1600-02-28 23:59:59.987+00'::timestamptz, '2400-03-01', '29 days 7 hours 13 minutes 0.123 seconds') AS t
                """).rows
            #expect(rows.count > 9_000)
            var sent: [Date] = []
            for row in rows {
                let date: Date = try row.decode("t")
                let ms: Int64 = try row.decode("ms")
                #expect(date == Date(timeIntervalSince1970: Double(ms) / 1000), "\(ms)")
                if sent.count < 500 { sent.append(date) }
            }
            let echoed = try await database.pool.query(
                "SELECT array_agg((extract(epoch FROM d) * 1000)::bigint ORDER BY n) AS ms FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(d, n)",
                sent).rows[0]
            #expect(try echoed.decode("ms", as: [Int64].self) == sent.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) })
        }
    }

    @Test func aNULCharacterIsRefusedBeforeAnythingIsSent() async throws {
        try await TestDatabase.with { database in
            await #expect(throws: PostgresError.invalidParameter(index: 2, reason: "contains a NUL character")) {
                try await database.pool.query("SELECT $1::text, $2::text", "fine", "cut\u{0}here")
            }
        }
    }

    /// A closed set of literal fragments is the way to vary a statement.
    enum SortOrder {
        case newest, oldest
        var orderBy: SQL {
            switch self {
            case .newest: " ORDER BY n DESC"
            case .oldest: " ORDER BY n ASC"
            }
        }
    }

    @Test func literalFragmentsComposeAndArePreparedOncePerConnection() async throws {
        try await TestDatabase.with(poolSize: 1) { database in
            let base: SQL = "SELECT n FROM generate_series(1, 3) AS n"
            let newest = try await database.pool.query(base + SortOrder.newest.orderBy)
            #expect(try newest.rows.map { try $0.decode("n", as: Int.self) } == [3, 2, 1])
            for _ in 0..<3 { _ = try await database.pool.query(base + SortOrder.oldest.orderBy) }
            let prepared = try await database.pool.query(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'SELECT n FROM generate_series%'")
            #expect(prepared.rows.count == 2)  // one per distinct text, however often it ran
        }
    }
}
