import Foundation

/// The canonical 8-4-4-4-12 form, hex digits in either case, read by hand. Foundation's
/// `UUID(uuidString:)` goes through `sscanf` on Linux: 1-4% of a catalogue request's CPU
/// in the profile (docs/benchmarks.md, issue 9), for a column that is in almost every row.
enum UUIDText {
    static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Reads the cell in place; indexes, not an enumerated `UTF8View`, which cost more per
    /// byte than the rest of the parse.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> UUID? {
        guard bytes.count == 36 else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &value) { output -> Bool in
            var read = 0
            for written in 0..<16 {
                if read == 8 || read == 13 || read == 18 || read == 23 {
                    guard bytes[read] == UInt8(ascii: "-") else { return false }
                    read += 1
                }
                guard let high = hexValue(bytes[read]), let low = hexValue(bytes[read + 1]) else { return false }
                output[written] = high << 4 | low
                read += 2
            }
            return true
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
