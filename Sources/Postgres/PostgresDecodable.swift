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

    /// The same from the cell's bytes in libpq's memory, valid only during the call; what
    /// `PostgresRow` calls. The default builds the `String` and calls `decode(postgresText:)`;
    /// types with a fixed ASCII form (numbers, uuid, timestamps) read the bytes in place,
    /// which spares a validated and often heap-allocated `String` per cell.
    static func decode(postgresBytes bytes: UnsafeRawBufferPointer?, type: PostgresDataType) throws -> Self

    /// How an array of this type is read. The default reads an array literal of this type's
    /// elements; `UInt8` overrides it so that `[UInt8]` reads bytea.
    static func decodeArray(postgresText text: String, type: PostgresDataType) throws -> [Self]
}

/// Thrown by the built-in conformances; the row replaces it with a `PostgresError.decoding`.
struct DecodingMismatch: Error {}

extension PostgresDecodable {
    public static func decode(postgresBytes bytes: UnsafeRawBufferPointer?, type: PostgresDataType) throws -> Self {
        try decode(postgresText: bytes.map { String(decoding: $0, as: UTF8.self) }, type: type)
    }

    public static func decodeArray(postgresText text: String, type: PostgresDataType) throws -> [Self] {
        guard let elementType = type.elementType, let elements = ArrayText.parse(text) else {
            throw DecodingMismatch()
        }
        return try elements.map { try decode(postgresText: $0, type: elementType) }
    }
}

/// A type whose text form is read from bytes (ASCII): the `String` entry point reads the
/// string's own bytes, so both entry points accept exactly the same cells.
protocol PostgresByteDecodable: PostgresDecodable {
    /// The column types this type reads.
    static var acceptedTypes: [PostgresDataType] { get }
    /// The value of a non-NULL cell of an accepted type, or nil when its text does not fit.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Self?
}

extension PostgresByteDecodable {
    public static func decode(postgresBytes bytes: UnsafeRawBufferPointer?, type: PostgresDataType) throws -> Self {
        // A short array scan, not a `Set`: hashing (or building a set literal) per cell
        // showed in the list profile (docs/benchmarks.md, issue 9).
        guard let bytes, acceptedTypes.contains(type), let value = parse(bytes) else { throw DecodingMismatch() }
        return value
    }

    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> Self {
        guard var text else { throw DecodingMismatch() }
        return try text.withUTF8 { try decode(postgresBytes: UnsafeRawBufferPointer($0), type: type) }
    }
}

private let integerTypes: [PostgresDataType] = [.int2, .int4, .int8]
private let numberTypes = integerTypes + [.float4, .float8, .numeric]
private let textTypes: [PostgresDataType] = [.text, .varchar, .bpchar, .name, .unknown, .json, .jsonb, .xml]

extension String: PostgresDecodable {
    /// Also reads user-defined types (enums, citext) — their text is what the app wants.
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> String {
        guard let text, textTypes.contains(type) || type.isUserDefined else { throw DecodingMismatch() }
        return text
    }
}

extension Int: PostgresByteDecodable {
    static var acceptedTypes: [PostgresDataType] { integerTypes }
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Int? { IntegerText.parse(bytes) }
}

extension Int64: PostgresByteDecodable {
    static var acceptedTypes: [PostgresDataType] { integerTypes }
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? { IntegerText.parse(bytes) }
}

private let smallIntegerTypes: [PostgresDataType] = [.int2, .int4]

extension Int32: PostgresByteDecodable {
    /// Not from bigint: a value that fits today may not fit tomorrow.
    static var acceptedTypes: [PostgresDataType] { smallIntegerTypes }
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Int32? { IntegerText.parse(bytes) }
}

private let boolTypes: [PostgresDataType] = [.bool]

extension Bool: PostgresByteDecodable {
    static var acceptedTypes: [PostgresDataType] { boolTypes }
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        guard bytes.count == 1 else { return nil }
        switch bytes[0] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: return nil
        }
    }
}

extension Double: PostgresDecodable {
    /// numeric is read through its decimal text, so digits beyond a double's precision are
    /// rounded; money in this project is integer cents, never numeric.
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> Double {
        guard let text, numberTypes.contains(type), let value = Double(text) else { throw DecodingMismatch() }
        return value
    }
}

private let uuidTypes: [PostgresDataType] = [.uuid]

extension UUID: PostgresByteDecodable {
    static var acceptedTypes: [PostgresDataType] { uuidTypes }
    static func parse(_ bytes: UnsafeRawBufferPointer) -> UUID? { UUIDText.parse(bytes) }
}

private let timestampTypes: [PostgresDataType] = [.timestamptz, .timestamp, .date]

extension Date: PostgresByteDecodable {
    /// timestamptz, and timestamp and date read as UTC.
    static var acceptedTypes: [PostgresDataType] { timestampTypes }
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Date? { TimestampText.parse(bytes) }
}

extension UInt8: PostgresDecodable {
    /// A lone byte reads from a small integer; an array of bytes reads bytea (below).
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> UInt8 {
        guard let text, integerTypes.contains(type), let value = UInt8(text) else { throw DecodingMismatch() }
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

    public static func decode(postgresBytes bytes: UnsafeRawBufferPointer?, type: PostgresDataType) throws -> Wrapped? {
        guard bytes != nil else { return nil }
        return try Wrapped.decode(postgresBytes: bytes, type: type)
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public static func decode(postgresText text: String?, type: PostgresDataType) throws -> [Element] {
        guard let text else { throw DecodingMismatch() }
        return try Element.decodeArray(postgresText: text, type: type)
    }
}
