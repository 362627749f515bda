/// Base64 with the URL- and filename-safe alphabet and no padding (RFC 4648 §5), as JWS
/// compact serialization requires (RFC 7515 §2, "Base64url Encoding").
///
/// Decoding is strict, because a lenient decoder lets one token have several spellings:
/// only `A-Z a-z 0-9 - _` are accepted, `=` padding and whitespace are refused, a length of
/// 1 mod 4 is refused, and the unused low bits of the last character must be zero
/// (canonical encoding, RFC 4648 §3.5).
public enum Base64URL {
    private static let alphabet = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The unpadded base64url text of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
                | UInt32(bytes[index + 2])
            appendSextets(of: chunk, count: 4, to: &out)
            index += 3
        }
        switch bytes.count - index {
        case 1:
            appendSextets(of: UInt32(bytes[index]) << 16, count: 2, to: &out)
        case 2:
            appendSextets(of: UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8,
                          count: 3, to: &out)
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The unpadded base64url text of the UTF-8 bytes of `string`.
    public static func encode(_ string: String) -> String {
        encode(Array(string.utf8))
    }

    /// The bytes `text` encodes, or `nil` when it is not canonical unpadded base64url.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(utf8: Array(text.utf8))
    }

    /// Decodes already-split UTF-8 bytes (avoids a String round trip for JWT segments).
    public static func decode(utf8 text: [UInt8]) -> [UInt8]? {
        if text.count % 4 == 1 { return nil }
        // Leftover bits (2 or 4) must be zero: otherwise two texts would decode alike.
        return BitPacking.decode(text, bitsPerSymbol: 6, value: sextet)
    }

    private static func appendSextets(of chunk: UInt32, count: Int, to out: inout [UInt8]) {
        for position in 0..<count {
            let shift = UInt32(18 - 6 * position)
            out.append(alphabet[Int((chunk >> shift) & 0x3f)])
        }
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
