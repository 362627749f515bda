import Foundation

/// A Swift value that can be bound to a statement parameter (`$1`, `$2`, ...).
///
/// Parameters go to the server in PostgreSQL's text format with an unspecified type, so the
/// server infers each one from the statement (add a cast such as `$1::uuid[]` where the
/// context does not say). Conformances: `String`, `Int`, `Int32`, `Int64`, `Bool`, `Double`,
/// `UUID`, `Date` (timestamptz, millisecond precision, UTC), `[UInt8]` (bytea), `Optional`
/// (NULL) and one-dimensional arrays of these.
public protocol PostgresEncodable: Sendable {
    /// The value in PostgreSQL's text input format, or `nil` to bind SQL NULL.
    var postgresText: String? { get }

    /// How an array of this type is written. The default is an array literal
    /// (`{"a","b",NULL}`); `UInt8` overrides it so that `[UInt8]` binds as bytea.
    static func postgresText(ofArray elements: [Self]) -> String
}

extension PostgresEncodable {
    public static func postgresText(ofArray elements: [Self]) -> String {
        ArrayText.format(elements.map(\.postgresText))
    }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "true" : "false" }
}

extension Double: PostgresEncodable {
    /// Swift prints the shortest text that reads back as the same double, which is what
    /// `float8in` needs; only the special values are spelled PostgreSQL's way.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return description
    }
}

extension UUID: PostgresEncodable {
    public var postgresText: String? { uuidString }
}

extension Date: PostgresEncodable {
    /// Rounded to the millisecond, written in UTC.
    public var postgresText: String? { TimestampText.format(self) }
}

extension UInt8: PostgresEncodable {
    /// A lone byte binds as a number; an array of bytes binds as bytea (below).
    public var postgresText: String? { String(self) }

    /// bytea hex format: `\x` followed by two hex digits per byte.
    public static func postgresText(ofArray elements: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: 2 + elements.count * 2) { text in
            let digits: StaticString = "0123456789abcdef"
            text[0] = 92  // backslash
            text[1] = 120  // "x"
            digits.withUTF8Buffer { digits in
                for (index, byte) in elements.enumerated() {
                    text[2 + 2 * index] = digits[Int(byte >> 4)]
                    text[3 + 2 * index] = digits[Int(byte & 0x0F)]
                }
            }
            return 2 + elements.count * 2
        }
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self?.postgresText }
}

extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// One-dimensional only: an array of arrays (other than `[[UInt8]]`, a bytea array) is
    /// sent as an array of strings and the server rejects it.
    public var postgresText: String? { Element.postgresText(ofArray: self) }
}
