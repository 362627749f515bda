import Foundation
import Testing
@testable import Postgres

/// The readers that parse a cell's bytes in place accept exactly what the `String` readers
/// they replaced accepted: the same values, the same refusals.
@Suite struct CellTextTests {
    static let integerTexts: [String] = [
        "", "+", "-", "0", "-0", "+0", "+7", "-7", "007", "12345", "1 ", " 1", "1a", "a1", "1-", "--1", "+-1",
        "2147483647", "2147483648", "-2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "99999999999999999999999", "\u{661}", "１", "1\u{0}", "0x10", "1e3", "1.0",
    ]

    @Test(arguments: integerTexts)
    func integersParseAsSwiftParsesThem(_ text: String) {
        #expect(Self.parse(text) as Int64? == Int64(text))
        #expect(Self.parse(text) as Int32? == Int32(text))
        #expect(Self.parse(text) as Int? == Int(text))
        #expect(Self.parse(text) as UInt8? == UInt8(text))
    }

    @Test func integersAtEveryMagnitudeRoundTrip() {
        var value: Int64 = 1
        for _ in 0..<18 {
            for candidate in [value, value - 1, value + 1, -value, -value + 1, -value - 1] {
                #expect(Self.parse(String(candidate)) as Int64? == candidate)
            }
            value *= 10
        }
    }

    static let timestamps: [(text: String, expected: Date?)] = [
        ("2026-02-02 21:30:00.123+00", Date(timeIntervalSince1970: 1_770_067_800.123)),
        ("2026-02-02 21:30:00+00", Date(timeIntervalSince1970: 1_770_067_800)),
        ("2026-02-02 21:30:00.1+00", Date(timeIntervalSince1970: 1_770_067_800.1)),
        ("2026-02-02 21:30:00.12+00", Date(timeIntervalSince1970: 1_770_067_800.12)),
        ("2026-02-02 21:30:00.123999+00", Date(timeIntervalSince1970: 1_770_067_800.123)),
        ("2026-02-02 23:30:00.123+02", Date(timeIntervalSince1970: 1_770_067_800.123)),
        ("2026-02-02 16:00:00-05:30", Date(timeIntervalSince1970: 1_770_067_800)),
        ("2026-02-02 21:30:15+00:00:15", Date(timeIntervalSince1970: 1_770_067_800)),
        ("2026-02-02T21:30:00+00", Date(timeIntervalSince1970: 1_770_067_800)),
        ("2024-02-29", Date(timeIntervalSince1970: 1_709_164_800)),
        ("1969-12-31 23:59:59.999+00", Date(timeIntervalSince1970: -0.001)),
        ("0001-01-01 00:00:00+00 BC", Date(timeIntervalSince1970: -62_167_219_200)),  // 1 BC is year 0
        ("infinity", .distantFuture),
        ("-infinity", .distantPast),
        ("", nil), ("infinity ", nil), ("infinityX", nil), ("infinity2026-02-02", nil), ("-infinity2026-02-02", nil),
        ("Infinity", nil), ("2026-13-01", nil), ("2026-00-01", nil), ("2026-01-32", nil), ("2026-1-01", nil),
        ("2026-02-02 21:30", nil), ("2026-02-02 21:30:00.", nil), ("2026-02-02 21:30:00+", nil),
        ("2026-02-02 21:30:00+0", nil), ("2026-02-02 21:30:00+00:", nil), ("2026-02-02 21:30:00+00 ", nil),
        ("2026-02-02 21:30:00+00 B", nil), ("2026-02-02 21:30:00+00 BCE", nil), ("026-02-02", nil),
        ("2026-02-02\u{0}", nil), ("2026-02-02 21:30:00\u{e9}", nil),
    ]

    @Test(arguments: timestamps)
    func timestampsParseFromTheirBytes(_ example: (text: String, expected: Date?)) {
        #expect(TimestampText.parse(example.text) == example.expected)
        var bytes = Array(example.text.utf8)
        let parsed = bytes.withUnsafeMutableBytes { TimestampText.parse(UnsafeRawBufferPointer($0)) }
        #expect(parsed == example.expected)
    }

    @Test func formattedTimestampsReadBack() {
        for milliseconds in stride(from: -70_000_000_000_000 as Int64, to: 70_000_000_000_000, by: 999_999_999_937) {
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            #expect(TimestampText.parse(TimestampText.format(date)) == date)
        }
    }

    @Test func booleansReadOnlyTheirTwoLetters() throws {
        let boolType = PostgresDataType(oid: 16)
        #expect(try Bool.decode(postgresText: "t", type: boolType) == true)
        #expect(try Bool.decode(postgresText: "f", type: boolType) == false)
        for text in ["", "true", "T", "tt", "1", "f "] {
            #expect(throws: (any Error).self) { try Bool.decode(postgresText: text, type: boolType) }
        }
        #expect(throws: (any Error).self) { try Bool.decode(postgresText: "t", type: PostgresDataType(oid: 25)) }
    }

    private static func parse<T: FixedWidthInteger>(_ text: String) -> T? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { IntegerText.parse(UnsafeRawBufferPointer($0)) }
    }
}
