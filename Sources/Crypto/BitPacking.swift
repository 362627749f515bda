/// Packs symbols of `bitsPerSymbol` bits (5 for base32, 6 for base64) into bytes, the shared
/// core of RFC 4648 decoding. Nil for a symbol outside the alphabet, or when the leftover
/// bits are not zero (otherwise two texts would decode to the same bytes).
enum BitPacking {
    static func decode(_ symbols: [UInt8], bitsPerSymbol: Int, value: (UInt8) -> UInt8?) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(symbols.count * bitsPerSymbol / 8)
        var accumulator: UInt32 = 0
        var bits = 0
        for symbol in symbols {
            guard let decoded = value(symbol) else { return nil }
            accumulator = accumulator << UInt32(bitsPerSymbol) | UInt32(decoded)
            bits += bitsPerSymbol
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return accumulator == 0 ? out : nil
    }
}
