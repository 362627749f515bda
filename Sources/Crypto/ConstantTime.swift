import CCrypto

/// Compares two byte strings without an early exit on the first differing byte, through
/// libcrypto's `CRYPTO_memcmp`, so the time taken does not reveal how long a matching
/// prefix an attacker has guessed (e.g. of a MAC tag or password hash).
///
/// Lengths are compared first and may leak: every value compared here (tags, hashes, codes)
/// has a public, fixed length.
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    if lhs.isEmpty { return true }
    return lhs.withUnsafeBytes { a in
        rhs.withUnsafeBytes { b in
            CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0
        }
    }
}
