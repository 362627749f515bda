import Foundation
import Postgres
import Testing
import TestSupport

/// Every supported column type read into Swift, with NULLs and the values at the edges.
@Suite struct DecodingTests {
    @Test func integersDecodeAtTheirLimits() async throws {
        try await TestDatabase.with { database in
            let row = try await database.pool.query("""
                SELECT $1::bigint AS min64, $2::bigint AS max64, $3::int AS min32, $4::int AS max32,
                       (-32768)::smallint AS min16, 0::bigint AS zero
                """, Int64.min, Int64.max, Int32.min, Int32.max).rows[0]
            #expect(try row.decode("min64", as: Int64.self) == .min)
            #expect(try row.decode("max64", as: Int64.self) == .max)
            #expect(try row.decode("max64", as: Int.self) == .max)
            #expect(try row.decode("min32", as: Int32.self) == .min)
            #expect(try row.decode("max32", as: Int32.self) == .max)
            #expect(try row.decode("min16", as: Int32.self) == -32768)
            #expect(try row.decode("zero", as: Int.self) == 0)
            // Int32 never reads bigint, even when today's value would fit.
            #expect(throws: PostgresError.decoding(column: "zero", expected: "Int32", actual: "bigint")) {
                try row.decode("zero", as: Int32.self)
            }
        }
    }

    @Test func textDecodesEmptyAndUnicodeUnchanged() async throws {
        try await TestDatabase.with { database in
            let row = try await database.pool.query("""
                SELECT ''::text AS empty, 'zaΩ日本語🙂e\u{301}'::text AS unicode, 'x'::varchar(3) AS short,
                       'ab'::char(3) AS padded, 'pg_class'::name AS catalog, '{"a": 1}'::jsonb AS document
                """).rows[0]
            #expect(try row.decode("empty", as: String.self) == "")
            #expect(try row.decode("unicode", as: String.self) == "zaΩ日本語🙂e\u{301}")
            #expect(try row.decode("short", as: String.self) == "x")
            #expect(try row.decode("padded", as: String.self) == "ab ")
            #expect(try row.decode("catalog", as: String.self) == "pg_class")
            #expect(try row.decode("document", as: String.self) == #"{"a": 1}"#)
        }
    }

    @Test func boolUUIDAndNumbersDecode() async throws {
        try await TestDatabase.with { database in
            let id = UUID()
            let row = try await database.pool.query("""
                SELECT true AS yes, false AS no, $1::uuid AS id, 1234.5678::numeric(10,4) AS amount,
                       0.1::float8 AS tenth, 'NaN'::float8 AS nan, '-Infinity'::float8 AS low,
                       1.5::real AS single, 7::int AS seven
                """, id).rows[0]
            #expect(try row.decode("yes", as: Bool.self) == true)
            #expect(try row.decode("no", as: Bool.self) == false)
            #expect(try row.decode("id", as: UUID.self) == id)
            #expect(try row.decode("amount", as: Double.self) == 1234.5678)
            #expect(try row.decode("tenth", as: Double.self) == 0.1)
            #expect(try row.decode("nan", as: Double.self).isNaN)
            #expect(try row.decode("low", as: Double.self) == -.infinity)
            #expect(try row.decode("single", as: Double.self) == 1.5)
            #expect(try row.decode("seven", as: Double.self) == 7)
        }
    }

    @Test func timestamptzDecodesWithMillisecondsInUTC() async throws {
        try await TestDatabase.with { database in
            let row = try await database.pool.query("""
                SELECT '2026-02-02 21:30:00.123+00'::timestamptz AS plain,
                       '2026-02-02 23:30:00.123+02'::timestamptz AS offset_two,
                       '1969-12-31 23:59:59.999+00'::timestamptz AS before_epoch,
                       '2000-01-01 00:00:00.123999+00'::timestamptz AS micros,
                       '2024-02-29 12:00:00'::timestamp AS leap_day, 'infinity'::timestamptz AS forever
                """).rows[0]
            let expected = Date(timeIntervalSince1970: 1_770_067_800.123)
            #expect(try row.decode("plain", as: Date.self) == expected)
            #expect(try row.decode("offset_two", as: Date.self) == expected)
            #expect(try row.decode("before_epoch", as: Date.self) == Date(timeIntervalSince1970: -0.001))
            // Microseconds beyond the millisecond are dropped, not rounded.
            #expect(try row.decode("micros", as: Date.self) == Date(timeIntervalSince1970: 946_684_800.123))
            #expect(try row.decode("leap_day", as: Date.self) == Date(timeIntervalSince1970: 1_709_208_000))
            #expect(try row.decode("forever", as: Date.self) == .distantFuture)
        }
    }

    @Test func byteaDecodesEmptyAndEveryByteValue() async throws {
        try await TestDatabase.with { database in
            let every = (0...255).map(UInt8.init)
            let row = try await database.pool.query("SELECT ''::bytea AS empty, $1::bytea AS every", every).rows[0]
            #expect(try row.decode("empty", as: [UInt8].self) == [])
            #expect(try row.decode("every", as: [UInt8].self) == every)
        }
    }

    @Test func nullsDecodeAsNilAndFailForNonOptionalTypes() async throws {
        try await TestDatabase.with { database in
            let row = try await database.pool.query("""
                SELECT NULL::text AS t, NULL::bigint AS i, NULL::boolean AS b, NULL::uuid AS u,
                       NULL::timestamptz AS d, NULL::bytea AS x, NULL::float8 AS f, NULL::int[] AS a
                """).rows[0]
            #expect(try row.decode("t", as: String?.self) == nil)
            #expect(try row.decode("i", as: Int?.self) == nil)
            #expect(try row.decode("i", as: Int32?.self) == nil)
            #expect(try row.decode("b", as: Bool?.self) == nil)
            #expect(try row.decode("u", as: UUID?.self) == nil)
            #expect(try row.decode("d", as: Date?.self) == nil)
            #expect(try row.decode("x", as: [UInt8]?.self) == nil)
            #expect(try row.decode("f", as: Double?.self) == nil)
            #expect(try row.decode("a", as: [Int]?.self) == nil)
            #expect(throws: PostgresError.decoding(column: "t", expected: "String", actual: "NULL")) {
                try row.decode("t", as: String.self)
            }
        }
    }

    @Test func arraysDecodeWithNullsAndAwkwardElements() async throws {
        try await TestDatabase.with { database in
            let id = UUID()
            let row = try await database.pool.query("""
                SELECT ARRAY[1, NULL, -3]::int[] AS ints, '{}'::text[] AS empty,
                       ARRAY['a,b', '"quoted"', 'back\\slash', 'NULL', '', NULL, '{x}', 'Ω']::text[] AS texts,
                       ARRAY[true, false]::bool[] AS flags, ARRAY[$1::uuid] AS ids,
                       ARRAY['2026-02-02 21:30:00.123+00'::timestamptz, NULL] AS times,
                       ARRAY['\\x00ff'::bytea, ''::bytea] AS blobs, ARRAY[1.5, NULL]::float8[] AS floats,
                       '[0:1]={7,8}'::int[] AS shifted
                """, id).rows[0]
            #expect(try row.decode("ints", as: [Int?].self) == [1, nil, -3])
            #expect(try row.decode("empty", as: [String].self) == [])
            #expect(try row.decode("texts", as: [String?].self)
                    == ["a,b", "\"quoted\"", "back\\slash", "NULL", "", nil, "{x}", "Ω"])
            #expect(try row.decode("flags", as: [Bool].self) == [true, false])
            #expect(try row.decode("ids", as: [UUID].self) == [id])
            #expect(try row.decode("times", as: [Date?].self) == [Date(timeIntervalSince1970: 1_770_067_800.123), nil])
            #expect(try row.decode("blobs", as: [[UInt8]].self) == [[0, 255], []])
            #expect(try row.decode("floats", as: [Double?].self) == [1.5, nil])
            #expect(try row.decode("shifted", as: [Int].self) == [7, 8])
            // A NULL element needs an optional element type.
            #expect(throws: PostgresError.decoding(column: "ints", expected: "Array<Int>", actual: "integer[]")) {
                try row.decode("ints", as: [Int].self)
            }
        }
    }

    @Test func mismatchNamesTheColumnAndBothTypes() async throws {
        try await TestDatabase.with { database in
            let row = try await database.pool.query("SELECT 'seven'::text AS label, 7 AS n").rows[0]
            #expect(throws: PostgresError.decoding(column: "label", expected: "Int", actual: "text")) {
                try row.decode("label", as: Int.self)
            }
            #expect(throws: PostgresError.decoding(column: "n", expected: "String", actual: "integer")) {
                try row.decode(1, as: String.self)
            }
            #expect(throws: PostgresError.unknownColumn("missing")) { try row.decode("missing", as: Int.self) }
            #expect(throws: PostgresError.unknownColumn("#2")) { try row.decode(2, as: Int.self) }
            #expect(try row.decode(0, as: String.self) == "seven")
        }
    }

    @Test func positionsFindTheFirstOfSharedNamesAndReadLikeNames() async throws {
        try await TestDatabase.with { database in
            let result = try await database.pool.query("SELECT 1::int AS a, 'x'::text AS b, 2::int AS a")
            let row = result.rows[0]
            #expect(try row.position(of: "a") == 0)
            #expect(try row.position(of: "b") == 1)
            #expect(try row.decode(row.position(of: "a"), as: Int.self) == row.decode("a", as: Int.self))
            #expect(try row.decode(2, as: Int.self) == 2)
            #expect(throws: PostgresError.unknownColumn("c")) { try row.position(of: "c") }
            #expect(throws: PostgresError.unknownColumn("#-1")) { try row.decode(-1, as: Int.self) }
            #expect(throws: PostgresError.decoding(column: "b", expected: "Int", actual: "text")) {
                try row.decode(row.position(of: "b"), as: Int.self)
            }
        }
    }
}
