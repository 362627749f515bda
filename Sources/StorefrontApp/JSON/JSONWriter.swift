/// Writes JSON text (RFC 8259) straight into bytes, with commas placed automatically.
/// Used for every response body and log line: faster than Foundation's encoder, and the
/// field order is the order of the code, which keeps bodies stable for ETags.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// One flag per open container: whether the next element needs a comma before it.
    private var needsComma: [Bool] = []
    private var afterKey = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    private mutating func beforeValue() {
        if afterKey { afterKey = false; return }
        if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            needsComma[needsComma.count - 1] = true
        }
    }

    public mutating func beginObject() { beforeValue(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { beforeValue(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    public mutating func key(_ name: String) {
        beforeValue()
        writeQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) { beforeValue(); writeQuoted(value) }
    public mutating func integer(_ value: Int) { beforeValue(); JSONWriter.appendInteger(value, to: &bytes) }
    public mutating func bool(_ value: Bool) { beforeValue(); bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    public mutating func null() { beforeValue(); bytes.append(contentsOf: "null".utf8) }

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

    public mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func newline() { bytes.append(10) }

    private mutating func writeQuoted(_ text: String) { JSONWriter.appendQuoted(text, to: &bytes) }

    /// `text` as a JSON string, escaped per RFC 8259 §7. Static so log lines can write
    /// into a buffer of their own.
    static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings (ids, routes, log fields) need no escaping: copy them whole. The scan
        // runs over the string's own bytes; through the `UTF8View` iterator it cost several
        // instructions a byte and was the largest item of an access line.
        let plain = text.utf8.withContiguousStorageIfAvailable { utf8 in
            for byte in utf8 where JSONWriter.needsEscape(byte) { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if plain != true { appendEscaped(text, to: &bytes) }
        bytes.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    private static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Decimal digits without the `String` that `String(value)` allocates.
    static func appendInteger(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: Int's 20 digits fit
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: buffer[start...])
        }
    }
}

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
