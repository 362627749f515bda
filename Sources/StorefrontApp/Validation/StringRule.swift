import Foundation

/// A reusable check on a string field; `check` returns the issue text or nil.
public struct StringRule: Sendable {
    public let check: @Sendable (String) -> String?

    public init(_ check: @escaping @Sendable (String) -> String?) { self.check = check }

    /// Length in Unicode scalars: what PostgreSQL's `char_length` counts in UTF8, so text
    /// that passes always fits its column's check. Grapheme clusters would let `a` plus 150
    /// combining accents pass as one character and then fail in the database (a 500).
    public static func length(_ range: ClosedRange<Int>) -> StringRule {
        StringRule { text in
            let count = text.unicodeScalars.count
            if count < range.lowerBound {
                return range.lowerBound == 1 ? "must not be empty" : "must be at least \(range.lowerBound) characters"
            }
            return count > range.upperBound ? "must be at most \(range.upperBound) characters" : nil
        }
    }

    /// Every byte in `allowed` (ASCII) and the length in `range`: e.g. SKUs `[A-Z0-9-]{3,64}`.
    public static func ascii(_ allowed: Set<UInt8>, length range: ClosedRange<Int>, describe: String) -> StringRule {
        // A bit table over the string's own bytes: a hash per byte through the `UTF8View`
        // iterator was 2% of a list request's CPU (every SKU read back is checked).
        let table = ByteTable(allowed)
        return StringRule { text in
            var text = text
            let fits = text.withUTF8 { bytes in range.contains(bytes.count) && bytes.allSatisfy(table.contains) }
            return fits ? nil : "must match \(describe)"
        }
    }

    /// Text PostgreSQL can store: no NUL (its text type cannot hold one). `FieldReader`
    /// applies it to every string field; query parameters use it too.
    public static let storable = StringRule { text in
        text.utf8.contains(0) ? "must not contain NUL characters" : nil
    }

    public static func oneOf(_ values: [String]) -> StringRule {
        StringRule { text in
            values.contains(text) ? nil : "must be one of \(values.joined(separator: ", "))"
        }
    }

    public static let uuid = StringRule { text in
        UUID(uuidString: text) == nil ? "must be a UUID" : nil
    }

    public static let email = StringRule { text in
        EmailSyntax.isValid(text) ? nil : "must be a valid email address"
    }

    /// Printable text: no control characters (they break logs and displays).
    public static let printable = StringRule { text in
        text.unicodeScalars.contains { $0.properties.generalCategory == .control } ? "must not contain control characters" : nil
    }
}

/// A deliberately plain email check: what can receive mail in practice, not all of RFC 5322.
enum EmailSyntax {
    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (3...254).contains(bytes.count), let at = bytes.lastIndex(of: UInt8(ascii: "@")),
              bytes.firstIndex(of: UInt8(ascii: "@")) == at else { return false }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard (1...64).contains(local.count), !domain.isEmpty else { return false }
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-".utf8)
        guard local.allSatisfy(localAllowed.contains), local.first != UInt8(ascii: "."),
              local.last != UInt8(ascii: "."), !zip(local, local.dropFirst()).contains(where: { $0 == 46 && $1 == 46 })
        else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        let labelAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-".utf8)
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.allSatisfy(labelAllowed.contains)
                && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
        }
    }
}

/// A set of byte values as 256 bits.
struct ByteTable: Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init(_ members: Set<UInt8>) {
        withUnsafeMutableBytes(of: &words) { raw in
            let bits = raw.bindMemory(to: UInt64.self)
            for byte in members { bits[Int(byte >> 6)] |= 1 << UInt64(byte & 63) }
        }
    }

    func contains(_ byte: UInt8) -> Bool {
        withUnsafeBytes(of: words) { raw in
            raw.load(fromByteOffset: Int(byte >> 6) * 8, as: UInt64.self) >> UInt64(byte & 63) & 1 == 1
        }
    }
}
