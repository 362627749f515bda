/// Base32 (RFC 4648 §6), the encoding authenticator apps expect for TOTP secrets in
/// `otpauth://` URIs and for manual entry.
///
/// Encoding emits upper case and, by default, no `=` padding (the Key URI format used by
/// authenticator apps omits it). Decoding accepts either case, because people type these
/// secrets by hand, and accepts padding only when it is exactly the RFC's; anything else
/// (other characters, spaces, wrong padding, non-zero unused bits) is refused.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// The base32 text of `bytes`; `padded` appends `=` to a multiple of 8 characters.
    public static func encode(_ bytes: [UInt8], padded: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 4) / 5 * 8)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            accumulator = accumulator << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((accumulator >> UInt32(bits)) & 0x1f)])
            }
            accumulator &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 {
            out.append(alphabet[Int((accumulator << UInt32(5 - bits)) & 0x1f)])
        }
        if padded {
            while out.count % 8 != 0 { out.append(UInt8(ascii: "=")) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes `text` encodes, or `nil` when it is not valid base32.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let original = Array(text.utf8)
        var characters = original
        if let firstPad = characters.firstIndex(of: UInt8(ascii: "=")) {
            // RFC 4648 §6: padding only at the end, making the total a multiple of 8.
            guard characters.count % 8 == 0,
                  characters[firstPad...].allSatisfy({ $0 == UInt8(ascii: "=") })
            else { return nil }
            characters.removeSubrange(firstPad...)
        }
        // Only these residues of the data length mod 8 can end a valid encoding.
        guard [0, 2, 4, 5, 7].contains(characters.count % 8) else { return nil }
        if characters.count % 8 == 0 && characters.count < original.count {
            return nil  // a full final quantum never carries padding
        }
        return BitPacking.decode(characters, bitsPerSymbol: 5, value: quintet)
    }

    private static func quintet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): character - UInt8(ascii: "2") + 26
        default: nil
        }
    }
}
