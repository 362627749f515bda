import CCrypto

/// The scrypt key-derivation function (RFC 7914) through libcrypto's `EVP_PBE_scrypt`.
///
/// This is the raw KDF; store passwords with `PasswordHasher`, which adds salts, encoding
/// and parameter limits.
public enum Scrypt {
    /// scrypt cost parameters (RFC 7914 §2): `N` = 2^`logN` (CPU/memory cost), block size
    /// `r`, parallelization `p`. Memory use is about 128 · r · N bytes.
    public struct Parameters: Sendable, Hashable {
        public var logN: Int
        public var r: Int
        public var p: Int

        public init(logN: Int, r: Int, p: Int) {
            self.logN = logN
            self.r = r
            self.p = p
        }

        /// The bytes libcrypto needs: `128·r·p` for B plus `128·r·(N+2)` for V and X
        /// (the same sum `EVP_PBE_scrypt` checks against `maxmem`).
        public var memoryBytes: UInt64 {
            let n = UInt64(1) << UInt64(logN)
            return 128 * UInt64(r) * UInt64(p) + 128 * UInt64(r) * (n + 2)
        }

        /// RFC 7914 §2: N a power of two greater than 1, and p·r < 2^30. The upper bound on
        /// logN (2^30 · 128 · r bytes would be absurd) keeps a typo from exhausting memory.
        var isValid: Bool {
            (1...30).contains(logN) && r >= 1 && p >= 1 && r <= 1 << 20 && p <= 1 << 20
                && UInt64(r) * UInt64(p) < 1 << 30
        }
    }

    /// scrypt(`password`, `salt`, N, r, p, `length`) as defined in RFC 7914 §6.
    public static func derive(password: [UInt8], salt: [UInt8], parameters: Parameters,
                              length: Int) throws(CryptoError) -> [UInt8] {
        guard parameters.isValid else { throw .invalidParameters("scrypt N, r or p") }
        guard length >= 1, length <= 1 << 16 else {
            throw .invalidParameters("scrypt output length")
        }
        // Default maxmem in OpenSSL is 32 MiB; pass the exact need plus slack so the
        // parameters, not a library default, decide what is allowed.
        let maxMemory = parameters.memoryBytes + (1 << 20)
        var out = [UInt8](repeating: 0, count: length)
        // Never hand libcrypto a NULL pointer: an empty password or salt is legal input.
        let passwordBytes = password.isEmpty ? [0] : password
        let saltBytes = salt.isEmpty ? [0] : salt
        let ok = passwordBytes.withUnsafeBufferPointer { passwordBuffer in
            passwordBuffer.withMemoryRebound(to: CChar.self) { passwordChars in
                saltBytes.withUnsafeBufferPointer { saltBuffer in
                    out.withUnsafeMutableBufferPointer { outBuffer in
                        EVP_PBE_scrypt(
                            passwordChars.baseAddress, password.count,
                            saltBuffer.baseAddress, salt.count,
                            UInt64(1) << UInt64(parameters.logN),
                            UInt64(parameters.r), UInt64(parameters.p), maxMemory,
                            outBuffer.baseAddress, outBuffer.count)
                    }
                }
            }
        }
        guard ok == 1 else { throw .libcryptoFailure("EVP_PBE_scrypt") }
        return out
    }
}
