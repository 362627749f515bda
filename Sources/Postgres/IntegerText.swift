/// Integers in the text form PostgreSQL prints, read from a cell's bytes in place instead of
/// through a `String` (`Int64(String)` after building one per cell).
enum IntegerText {
    /// Accepts what `T(String)` accepts, no more: an optional `+` or `-`, then one or more
    /// ASCII digits, the value within `T`'s range. No spaces, no empty digits.
    static func parse<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer) -> T? {
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < bytes.count else { return nil }
        var value: T = 0
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            // Negative values accumulate downwards, so T.min parses without overflowing.
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = negative ? shifted.subtractingReportingOverflow(T(digit))
                                             : shifted.addingReportingOverflow(T(digit))
            guard !overflowA, !overflowB else { return nil }
            value = next
            index += 1
        }
        return value
    }
}
