import CCrypto

/// HMAC (RFC 2104) through libcrypto's `EVP_Q_mac`.
///
/// `EVP_Q_mac` is OpenSSL 3's one-shot EVP_MAC interface; the older `HMAC_CTX` API is
/// deprecated there. SHA-256 signs JWTs (RFC 7518 §3.2); SHA-1 exists only because TOTP
/// (RFC 6238 / RFC 4226) is defined over it and authenticator apps default to it.
public enum HMAC {
    /// HMAC-SHA-256 of `message` under `key` (32-byte tag).
    public static func sha256(key: [UInt8], message: [UInt8]) throws(CryptoError) -> [UInt8] {
        try mac(digest: "SHA256", outputSize: 32, key: key, message: message)
    }

    /// HMAC-SHA-1 of `message` under `key` (20-byte tag). Use only for TOTP/HOTP.
    public static func sha1(key: [UInt8], message: [UInt8]) throws(CryptoError) -> [UInt8] {
        try mac(digest: "SHA1", outputSize: 20, key: key, message: message)
    }

    private static func mac(digest: String, outputSize: Int, key: [UInt8],
                            message: [UInt8]) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: outputSize)
        var written = 0
        // An empty Swift array may hand out a nil base address; libcrypto's HMAC treats a
        // NULL key as "reuse the previous key", so always pass a real (if zero-length) buffer.
        let keyBytes = key.isEmpty ? [0] : key
        let keyCount = key.count
        let result = keyBytes.withUnsafeBytes { keyPtr in
            message.withUnsafeBufferPointer { messagePtr in
                out.withUnsafeMutableBufferPointer { outPtr in
                    EVP_Q_mac(nil, "HMAC", nil, digest, nil,
                              keyPtr.baseAddress, keyCount,
                              messagePtr.baseAddress, messagePtr.count,
                              outPtr.baseAddress, outPtr.count, &written)
                }
            }
        }
        guard result != nil, written == outputSize else {
            throw .libcryptoFailure("EVP_Q_mac(HMAC-\(digest))")
        }
        return out
    }
}
