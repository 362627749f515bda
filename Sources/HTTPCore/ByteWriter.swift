/// Writes bytes into memory the caller sized: no capacity check, no uniqueness check and
/// no call per piece, which `Array.append(contentsOf:)` costs for every one of the thirty
/// or so strings in a response head. The caller computes the exact size first
/// (`ByteCount`) and must not write past it; debug builds check.
public struct ByteWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    public private(set) var count = 0

    public init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        // A zero-capacity buffer may have no base address; nothing is written into it.
        base = buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 1)!
        capacity = buffer.count
    }

    @inline(__always)
    public mutating func write(_ byte: UInt8) {
        assert(count < capacity)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    public mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        assert(count + bytes.count <= capacity)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// From the string's own storage (a small string's is on the stack); byte by byte for
    /// the rare string that has none contiguous (bridged or lazily decoded).
    @inline(__always)
    public mutating func write(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { write($0) }
        if copied == nil { for byte in text.utf8 { write(byte) } }
    }

    @inline(__always)
    public mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    @inline(__always)
    public mutating func write(literal text: StaticString) {
        text.withUTF8Buffer { write($0) }
    }

    /// `value` in decimal, `ByteCount.decimalDigits(value)` bytes (and a sign).
    public mutating func writeDecimal(_ value: Int) {
        if value < 0 { write(UInt8(ascii: "-")) }
        var rest = value.magnitude
        let digits = ByteCount.decimalDigits(rest)
        var index = count + digits - 1
        assert(count + digits <= capacity)
        repeat {
            base[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            index -= 1
        } while rest > 0
        count += digits
    }
}

/// Sizes for `ByteWriter`.
public enum ByteCount {
    /// Decimal digits of `value` (1 for 0).
    @inline(__always)
    public static func decimalDigits(_ value: UInt) -> Int {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        return digits
    }

    /// Bytes `ByteWriter.writeDecimal(value)` writes.
    @inline(__always)
    public static func decimal(_ value: Int) -> Int {
        decimalDigits(value.magnitude) + (value < 0 ? 1 : 0)
    }
}
