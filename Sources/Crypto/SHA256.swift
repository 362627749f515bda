import CCrypto

/// SHA-256 (FIPS 180-4) through libcrypto's `EVP_Digest`.
///
/// The one-shot EVP call is used rather than `SHA256_Init`/`SHA256_Update`, which OpenSSL 3
/// deprecates. Typical uses: hashing refresh tokens and API keys before storing them.
public enum SHA256 {
    /// Digest length in bytes.
    public static let byteCount = 32

    /// The SHA-256 digest of `bytes`.
    ///
    /// Throws rather than returning a zero digest if libcrypto fails (e.g. no provider
    /// loaded), so a failure can never make two different inputs look equal.
    public static func hash(_ bytes: [UInt8]) throws(CryptoError) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length,
                           EVP_sha256(), nil)
            }
        }
        guard ok == 1, Int(length) == byteCount else {
            throw .libcryptoFailure("EVP_Digest(SHA-256)")
        }
        return digest
    }

    /// The SHA-256 digest of the UTF-8 bytes of `string`.
    public static func hash(_ string: String) throws(CryptoError) -> [UInt8] {
        try hash(Array(string.utf8))
    }

    /// The SHA-256 digest of `bytes` as lower-case hex (64 characters).
    public static func hexHash(_ bytes: [UInt8]) throws(CryptoError) -> String {
        try hash(bytes).hexString
    }
}
