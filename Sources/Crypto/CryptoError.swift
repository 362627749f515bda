/// A failure inside libcrypto or of a caller-supplied parameter.
///
/// Cases name the operation only: an error never carries key, password or message bytes, so
/// it is safe to log in full.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `RAND_bytes` could not produce output (e.g. the DRBG failed to seed). Callers must not
    /// fall back to weaker randomness.
    case randomUnavailable
    /// A libcrypto call returned failure; the associated value names the call.
    case libcryptoFailure(String)
    /// A parameter is outside what the operation accepts (e.g. scrypt `N` not a power of two).
    case invalidParameters(String)

    public var description: String {
        switch self {
        case .randomUnavailable: "secure random generator unavailable"
        case .libcryptoFailure(let call): "libcrypto call failed: \(call)"
        case .invalidParameters(let what): "invalid parameters: \(what)"
        }
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal, two digits per byte.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
