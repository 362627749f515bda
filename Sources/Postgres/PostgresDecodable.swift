import Foundation

/// A Swift type that a result column can be read as, through `PostgresRow.decode`.
///
/// Conformances: `String`, `Int`, `Int32`, `Int64`, `Bool`, `Double` (also from numeric and
/// real), `UUID`, `Date` (timestamptz, millisecond precision), `[UInt8]` (bytea), `Optional`
/// (NULL) and one-dimensional arrays of these. Each accepts only the column types it can read
/// without surprise: an `Int` from a text column is an error, not a parse attempt.
public protocol PostgresDecodable: Sendable {
    /// Reads a value from a cell in text format (`nil` for NULL) of the given column type.
    /// Throw any error when the type or text does not fit: the row reports it as
    /// `PostgresError.decoding` naming the column, this type and the column's type.
    static func decode(postgresText text: String?, type: PostgresDataType) throws -> Self

    /// How an array of this type is read. The default reads an array literal of this type's
    /// elements; `UInt8` overrides it so that `[UInt8]` reads bytea.
    static func decodeArray(postgresText text: String, type: PostgresDataType) throws -> [Self]
}

/// Thrown by the built-in conformances; the row replaces it with a `PostgresError.decoding`.
struct DecodingMismatch: Error {}

extension PostgresDecodable {
    public static func decodeArray(postgresText text: String, type: PostgresDataType) throws -> [Self] {
        guard let elementType = type.elementType, let elements = ArrayText.parse(text) else {
            throw DecodingMismatch()
        }
        return try elements.map { try decode(postgresText: $0, type: elementType) }
    }
}

/// The text of a non-NULL cell whose column type is one of `accepted`.
private func cellText(_ text: String?, _ type: PostgresDataType, _ accepted: Set<PostgresDataType>) throws -> String {
    guard let text, accepted.contains(type) else { throw DecodingMismatch() }
    return text
}

private let integerTypes: Set<PostgresDataType> = [.int2, .int4, .int8]
private let numberTypes = integerTypes.union([.float4, .float8, .numeric])
private let textTypes: Set<PostgresDataType> = [.text, .varchar, .bpchar, .name, .unknown, .json, .jsonb, .xml]

extension String: PostgresDecodable {
    /// Also reads user-defined types (enums, citext) — their text is what the app wants.
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> String {
        guard let text, textTypes.contains(type) || type.isUserDefined else { throw DecodingMismatch() }
        return text
    }
}

extension Int: PostgresDecodable {
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> Int {
        guard let value = Int(try cellText(text, type, integerTypes)) else { throw DecodingMismatch() }
        return value
    }
}

extension Int64: PostgresDecodable {
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> Int64 {
        guard let value = Int64(try cellText(text, type, integerTypes)) else { throw DecodingMismatch() }
        return value
    }
}

extension Int32: PostgresDecodable {
    /// Not from bigint: a value that fits today may not fit tomorrow.
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> Int32 {
        guard let value = Int32(try cellText(text, type, [.int2, .int4])) else { throw DecodingMismatch() }
        return value
    }
}

extension Bool: PostgresDecodable {
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> Bool {
        switch try cellText(text, type, [.bool]) {
        case "t": return true
        case "f": return false
        default: throw DecodingMismatch()
        }
    }
}

extension Double: PostgresDecodable {
    /// numeric is read through its decimal text, so digits beyond a double's precision are
    /// rounded; money in this project is integer cents, never numeric.
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> Double {
        guard let value = Double(try cellText(text, type, numberTypes)) else { throw DecodingMismatch() }
        return value
    }
}

extension UUID: PostgresDecodable {
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> UUID {
        guard let value = UUIDText.parse(try cellText(text, type, [.uuid])) else { throw DecodingMismatch() }
        return value
    }
}

/// The canonical 8-4-4-4-12 form, hex digits in either case, read by hand. Foundation's
/// `UUID(uuidString:)` goes through `sscanf` on Linux: 1-4% of a catalogue request's CPU
/// in the profile (docs/benchmarks.md, issue 9), for a column that is in almost every row.
enum UUIDText {
    static func parse(_ text: String) -> UUID? {
        let utf8 = text.utf8
        guard utf8.count == 36 else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &value) { bytes -> Bool in
            var written = 0, high: UInt8?
            for (position, character) in utf8.enumerated() {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard character == UInt8(ascii: "-") else { return false }
                    continue
                }
                guard let nibble = hexValue(character) else { return false }
                if let upper = high {
                    bytes[written] = upper << 4 | nibble
                    written += 1
                    high = nil
                } else {
                    high = nibble
                }
            }
            return written == 16
        }
        return parsed ? UUID(uuid: value) : nil
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Date: PostgresDecodable {
    /// timestamptz, and timestamp and date read as UTC.
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> Date {
        let raw = try cellText(text, type, [.timestamptz, .timestamp, .date])
        guard let value = TimestampText.parse(raw) else { throw DecodingMismatch() }
        return value
    }
}

extension UInt8: PostgresDecodable {
    /// A lone byte reads from a small integer; an array of bytes reads bytea (below).
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> UInt8 {
        guard let value = UInt8(try cellText(text, type, integerTypes)) else { throw DecodingMismatch() }
        return value
    }

    /// bytea in hex format (`bytea_output = hex`, set on every connection).
    public static func decodeArray(postgresText text: String, type: PostgresDataType) throws -> [UInt8] {
        guard type == .bytea else { throw DecodingMismatch() }
        let hex = Array(text.utf8)
        guard hex.count >= 2, hex[0] == 92, hex[1] == 120, hex.count % 2 == 0 else { throw DecodingMismatch() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((hex.count - 2) / 2)
        var index = 2
        while index < hex.count {
            guard let high = hexValue(hex[index]), let low = hexValue(hex[index + 1]) else {
                throw DecodingMismatch()
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        case 65...70: digit - 55
        default: nil
        }
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> Wrapped? {
        guard text != nil else { return nil }
        return try Wrapped.decode(postgresText: text, type: type)
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> [Element] {
        guard let text else { throw DecodingMismatch() }
        return try Element.decodeArray(postgresText: text, type: type)
    }
}
