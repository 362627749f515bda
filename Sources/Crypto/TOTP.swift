import Foundation

/// Time-based one-time passwords (RFC 6238) as authenticator apps implement them: HOTP
/// (RFC 4226) over HMAC-SHA-1, 30-second steps from the Unix epoch, 6 digits by default.
public enum TOTP {
    /// Code length. RFC 4226 §5.3 requires at least 6; RFC 6238's test vectors use 8.
    public enum Digits: Int, Sendable {
        case six = 6, seven = 7, eight = 8
    }

    /// The time step X of RFC 6238 §4.1, in seconds.
    public static let period: Int64 = 30
    /// 20 bytes = 160 bits, the HMAC-SHA-1 output size recommended by RFC 4226 §4 (R6).
    public static let secretByteCount = 20

    /// A fresh random shared secret.
    public static func generateSecret() throws(CryptoError) -> [UInt8] {
        try SecureRandom.bytes(secretByteCount)
    }

    /// The time step counter T = floor(unix time / 30) (RFC 6238 §4.2, T0 = 0).
    public static func step(at time: Date) -> Int64 {
        // Clamped so any Date converts to Int64 without trapping.
        let seconds = min(max(time.timeIntervalSince1970, -1e15), 1e15)
        return Int64((seconds / Double(period)).rounded(.down))
    }

    /// The code for the step containing `time`.
    public static func code(secret: [UInt8], time: Date, digits: Digits = .six)
        throws(CryptoError) -> String
    {
        try code(secret: secret, step: step(at: time), digits: digits)
    }

    /// HOTP(secret, step) with dynamic truncation (RFC 4226 §5.3), zero-padded.
    public static func code(secret: [UInt8], step: Int64, digits: Digits = .six)
        throws(CryptoError) -> String
    {
        // RFC 4226 §5.2: the counter is 8 bytes, big-endian.
        let counter = withUnsafeBytes(of: UInt64(bitPattern: step).bigEndian) { Array($0) }
        let mac = try HMAC.sha1(key: secret, message: counter)
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = UInt32(mac[offset] & 0x7f) << 24 | UInt32(mac[offset + 1]) << 16
            | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits.rawValue { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits.rawValue - value.count) + value
    }

    /// The step `code` belongs to, if it is the code of the current step or of the step just
    /// before or after (RFC 6238 §5.2 recommends at most one step of network/clock delay) and
    /// that step is later than `lastUsedStep`; otherwise `nil`.
    ///
    /// Store the returned step as the new `lastUsedStep`: refusing steps at or before it
    /// makes each code usable once (RFC 6238 §5.2), even within its window.
    public static func verify(code: String, secret: [UInt8], time: Date, lastUsedStep: Int64?,
                              digits: Digits = .six) throws(CryptoError) -> Int64? {
        let submitted = Array(code.utf8)
        guard submitted.count == digits.rawValue,
              submitted.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        let current = step(at: time)
        var matched: Int64?
        // Every candidate is computed and compared, so timing does not tell which matched.
        for candidate in [current - 1, current, current + 1] {
            let expected = Array(try Self.code(secret: secret, step: candidate,
                                               digits: digits).utf8)
            let isUnused = lastUsedStep.map { candidate > $0 } ?? true
            if constantTimeEquals(expected, submitted) && isUnused && matched == nil {
                matched = candidate
            }
        }
        return matched
    }

    /// The Key URI authenticator apps scan as a QR code:
    /// `otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30`,
    /// with issuer and account percent-encoded (RFC 3986 §2.1; only unreserved characters
    /// are left as they are, so a `:` in either cannot split the label).
    public static func otpauthURI(secret: [UInt8], account: String, issuer: String) -> String {
        let encodedIssuer = percentEncoded(issuer)
        return "otpauth://totp/\(encodedIssuer):\(percentEncoded(account))"
            + "?secret=\(Base32.encode(secret))&issuer=\(encodedIssuer)"
            + "&algorithm=SHA1&digits=6&period=\(period)"
    }

    /// RFC 3986 §2.3 unreserved characters stay; every other UTF-8 byte becomes `%XX`.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
