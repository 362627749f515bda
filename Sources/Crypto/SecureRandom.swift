import CCrypto

/// Cryptographically secure random bytes from libcrypto's DRBG (`RAND_bytes`).
///
/// Used for salts, TOTP secrets, refresh tokens and API keys.
public enum SecureRandom {
    /// `count` random bytes. Throws `CryptoError.randomUnavailable` when the generator fails:
    /// returning the zero-filled buffer instead would silently hand out predictable secrets.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        guard count >= 0, count <= Int(Int32.max) else {
            throw .invalidParameters("random byte count")
        }
        if count == 0 { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { buffer in
            RAND_bytes(buffer.baseAddress, Int32(count))
        }
        guard ok == 1 else { throw .randomUnavailable }
        return out
    }
}
