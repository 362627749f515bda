import Foundation

/// Writes JSON text (RFC 8259) straight into bytes, with commas placed automatically.
/// Used for every response body and log line: faster than Foundation's encoder, and the
/// field order is the order of the code, which keeps bodies stable for ETags.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the innermost open container already holds an element, so the next one
    /// needs a comma. Kept apart from `enclosing` so that writing a value touches no array:
    /// a flag per container in an array cost an access and a uniqueness check per value.
    private var hasElement = false
    /// `hasElement` of each enclosing container, innermost last.
    private var enclosing: [Bool] = []
    private var depth = 0
    private var afterKey = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    private mutating func beforeValue() {
        if afterKey { afterKey = false; return }
        if depth > 0 {
            if hasElement { bytes.append(UInt8(ascii: ",")) }
            hasElement = true
        }
    }

    private mutating func open(_ bracket: UInt8) {
        beforeValue()
        bytes.append(bracket)
        enclosing.append(hasElement)
        depth += 1
        hasElement = false
    }

    private mutating func close(_ bracket: UInt8) {
        hasElement = enclosing.removeLast()
        depth -= 1
        bytes.append(bracket)
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    public mutating func key(_ name: String) {
        beforeValue()
        writeQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) { beforeValue(); writeQuoted(value) }
    public mutating func integer(_ value: Int) { beforeValue(); JSONWriter.appendInteger(value, to: &bytes) }
    public mutating func bool(_ value: Bool) { beforeValue(); JSONWriter.append(value ? "true" : "false", to: &bytes) }
    public mutating func null() { beforeValue(); JSONWriter.append("null", to: &bytes) }

    /// A literal's bytes in one copy; appending a `String`'s `UTF8View` went byte by byte.
    private static func append(_ literal: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    public mutating func double(_ value: Double) {
        beforeValue()
        // JSON has no NaN or infinity. `description` is what interpolation printed, without
        // building an interpolated string.
        bytes.append(contentsOf: (value.isFinite ? value.description : "null").utf8)
    }

    /// A value already in JSON syntax (a parsed number keeps its text; stored JSON), written as is.
    public mutating func raw(_ text: String) { beforeValue(); bytes.append(contentsOf: text.utf8) }

    /// Any parsed value, members in their order.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let text): raw(text)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members { key(member.name); self.value(member.value) }
            endObject()
        }
    }

    /// A uuid in the lower-case canonical form API.md shows, written in place: Foundation's
    /// `uuidString` formats with `snprintf` on Linux (2% of a list request's CPU), and
    /// `lowercased()` then copied it once more.
    public mutating func uuid(_ id: UUID) {
        beforeValue()
        bytes.append(UInt8(ascii: "\""))
        withUnsafeBytes(of: id.uuid) { raw in
            for position in 0..<16 {
                if position == 4 || position == 6 || position == 8 || position == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(JSONWriter.lowerHexDigit(raw[position] >> 4))
                bytes.append(JSONWriter.lowerHexDigit(raw[position] & 0xF))
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A moment as `Timestamp.rfc3339(_:)` renders it, without the intermediate `String`.
    public mutating func timestamp(_ date: Date) {
        beforeValue()
        bytes.append(UInt8(ascii: "\""))
        Timestamp.appendRFC3339(Timestamp.epochMilliseconds(date), to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func newline() { bytes.append(10) }

    private mutating func writeQuoted(_ text: String) { JSONWriter.appendQuoted(text, to: &bytes) }

    /// `text` as a JSON string, escaped per RFC 8259 §7. Static so log lines can write
    /// into a buffer of their own.
    static func appendQuoted<Output: JSONOutput>(_ text: String, to bytes: inout Output) {
        bytes.append(UInt8(ascii: "\""))
        // `withUTF8` is the string's own storage (a small string is copied to the stack).
        var text = text
        text.withUTF8 { appendEscaped($0, to: &bytes) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Copies the runs that need no escaping whole and escapes the bytes between them. The
    /// scan tests eight bytes at a time: a list page is mostly descriptions that need no
    /// escape at all, and a byte-by-byte scan over them was the writer's largest cost.
    private static func appendEscaped<Output: JSONOutput>(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout Output) {
        guard let base = utf8.baseAddress else { return }
        // Most strings need no escape at all: decided a word at a time, the tail in one
        // padded word, and copied whole. The loop below went byte by byte after the last
        // full word, which for the short strings of a log line was most of them.
        if !anyNeedsEscape(utf8) {
            bytes.append(contentsOf: utf8)
            return
        }
        var index = 0, runStart = 0
        while index < utf8.count {
            if index + 8 <= utf8.count,
               !wordNeedsEscape(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                index += 8
                continue
            }
            let byte = utf8[index]
            if needsEscape(byte) {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscape(byte, to: &bytes)
                runStart = index + 1
            }
            index += 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }

    private static func anyNeedsEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return false }
        let count = utf8.count
        if count >= 8 {
            var index = 0
            while index + 8 <= count {
                if wordNeedsEscape(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) { return true }
                index += 8
            }
            // The tail as the last eight bytes, overlapping the word before: no padding.
            return index < count && wordNeedsEscape(UnsafeRawPointer(base + count - 8).loadUnaligned(as: UInt64.self))
        }
        // Under a word: the bytes over a word of "A"s, which need no escape.
        var word: UInt64 = 0x4141_4141_4141_4141
        withUnsafeMutableBytes(of: &word) { raw in
            for index in 0..<count { raw[index] = base[index] }
        }
        return wordNeedsEscape(word)
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    /// Whether any of the eight bytes `needsEscape`, without a branch per byte. The classic
    /// "has a byte less than n" test (exact about whether one exists: a borrow can only start
    /// at a byte that is below n); equality with a byte is "has a zero byte" after an xor.
    @inline(__always)
    private static func wordNeedsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highBits: UInt64 = 0x8080_8080_8080_8080
        func hasByteBelow(_ bytes: UInt64, _ limit: UInt64) -> UInt64 { (bytes &- ones &* limit) & ~bytes & highBits }
        func hasByte(_ value: UInt64) -> UInt64 { hasByteBelow(word ^ (ones &* value), 1) }
        return (hasByteBelow(word, 0x20) | hasByte(0x22) | hasByte(0x5C) | hasByte(0x7F)) != 0
    }

    private static func appendEscape<Output: JSONOutput>(_ byte: UInt8, to bytes: inout Output) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
        default:
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "u"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(lowerHexDigit(byte >> 4))
            bytes.append(lowerHexDigit(byte & 0xF))
        }
    }

    @inline(__always)
    private static func lowerHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
    }

    /// Decimal digits without the `String` that `String(value)` allocates.
    static func appendInteger<Output: JSONOutput>(_ value: Int, to bytes: inout Output) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: Int's 20 digits fit
        withUnsafeMutablePointer(to: &digits) { tuple in
            tuple.withMemoryRebound(to: UInt8.self, capacity: 24) { buffer in
                var start = 24
                repeat {
                    start -= 1
                    buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                } while rest > 0
                bytes.append(contentsOf: UnsafeBufferPointer(start: buffer + start, count: 24 - start))
            }
        }
    }
}

/// Where the escaping and number writers put their bytes: a response body's array, or a
/// log line's own buffer (`LogLine`). Generic, and specialized for each.
protocol JSONOutput {
    mutating func append(_ byte: UInt8)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONOutput where Element == UInt8 {}

/// A value with one JSON rendering, written into a response or stored as bytes (the
/// outbox keeps an event's `data` exactly as the API renders the resource).
protocol JSONRendering {
    func write(to json: inout JSONWriter)
}

extension JSONRendering {
    var jsonBytes: [UInt8] {
        var json = JSONWriter(capacity: 512)
        write(to: &json)
        return json.bytes
    }
}
