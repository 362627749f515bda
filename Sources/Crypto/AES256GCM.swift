import CCrypto

/// AES-256 in Galois/Counter Mode (NIST SP 800-38D) through libcrypto's EVP interface,
/// with a 96-bit nonce and a 128-bit tag. This is the raw primitive, exposed so the
/// published known-answer vectors can be checked against it; application code uses
/// `SecretBox`, which picks the nonce itself.
public enum AES256GCM {
    public static let keyLength = 32
    public static let nonceLength = 12
    public static let tagLength = 16

    /// Encrypts `plaintext` and authenticates it with `associatedData`.
    ///
    /// The caller must never reuse a nonce under the same key: GCM then leaks the XOR of
    /// the plaintexts and the authentication key (SP 800-38D §8).
    public static func seal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8],
                            associatedData: [UInt8]) throws(CryptoError) -> (ciphertext: [UInt8], tag: [UInt8]) {
        try checkSizes(key: key, nonce: nonce, textCount: plaintext.count, aadCount: associatedData.count)
        let context = try CipherContext()
        try context.check(EVP_EncryptInit_ex(context.pointer, EVP_aes_256_gcm(), nil, key, nonce), "EVP_EncryptInit_ex")
        try context.addAssociatedData(associatedData, encrypting: true)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        try context.transform(plaintext, into: &ciphertext, encrypting: true)
        var written: Int32 = 0
        // GCM is a stream mode: Final emits nothing but is where the tag is computed.
        var scratch = [UInt8](repeating: 0, count: 16)
        try context.check(EVP_EncryptFinal_ex(context.pointer, &scratch, &written), "EVP_EncryptFinal_ex")
        var tag = [UInt8](repeating: 0, count: tagLength)
        try context.check(EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_AEAD_GET_TAG, Int32(tagLength), &tag),
                          "EVP_CTRL_AEAD_GET_TAG")
        return (ciphertext, tag)
    }

    /// The plaintext, or nil when the tag does not match the key, nonce, ciphertext and
    /// associated data. No partial plaintext ever escapes a failed check.
    public static func open(key: [UInt8], nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8],
                            associatedData: [UInt8]) throws(CryptoError) -> [UInt8]? {
        try checkSizes(key: key, nonce: nonce, textCount: ciphertext.count, aadCount: associatedData.count)
        // A truncated tag would make forgery cheaper (SP 800-38D Appendix C): only full tags.
        guard tag.count == tagLength else { return nil }
        let context = try CipherContext()
        try context.check(EVP_DecryptInit_ex(context.pointer, EVP_aes_256_gcm(), nil, key, nonce), "EVP_DecryptInit_ex")
        try context.addAssociatedData(associatedData, encrypting: false)
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        try context.transform(ciphertext, into: &plaintext, encrypting: false)
        var expected = tag
        try context.check(EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_AEAD_SET_TAG, Int32(tagLength), &expected),
                          "EVP_CTRL_AEAD_SET_TAG")
        var written: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_DecryptFinal_ex(context.pointer, &scratch, &written) == 1 else {
            for index in plaintext.indices { plaintext[index] = 0 }
            return nil
        }
        return plaintext
    }

    private static func checkSizes(key: [UInt8], nonce: [UInt8], textCount: Int, aadCount: Int) throws(CryptoError) {
        guard key.count == keyLength else { throw .invalidParameters("AES-256-GCM key must be 32 bytes") }
        // 12 bytes is libcrypto's default IV length; other lengths would need a ctrl call
        // and are hashed into the counter, which SP 800-38D §8.2 discourages.
        guard nonce.count == nonceLength else { throw .invalidParameters("AES-256-GCM nonce must be 12 bytes") }
        // EVP lengths are C ints.
        guard textCount <= Int(Int32.max), aadCount <= Int(Int32.max) else {
            throw .invalidParameters("AES-256-GCM input too long")
        }
    }
}

/// One `EVP_CIPHER_CTX`, freed when the value goes away.
private final class CipherContext {
    let pointer: OpaquePointer

    init() throws(CryptoError) {
        guard let pointer = EVP_CIPHER_CTX_new() else { throw .libcryptoFailure("EVP_CIPHER_CTX_new") }
        self.pointer = pointer
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }

    func check(_ result: Int32, _ call: String) throws(CryptoError) {
        guard result == 1 else { throw .libcryptoFailure(call) }
    }

    /// Associated data goes in through Update with a NULL output buffer.
    func addAssociatedData(_ data: [UInt8], encrypting: Bool) throws(CryptoError) {
        // Empty input may have no base address; GCM needs no call for it at all.
        guard !data.isEmpty else { return }
        var written: Int32 = 0
        let result = data.withUnsafeBufferPointer { buffer in
            encrypting
                ? EVP_EncryptUpdate(pointer, nil, &written, buffer.baseAddress, Int32(buffer.count))
                : EVP_DecryptUpdate(pointer, nil, &written, buffer.baseAddress, Int32(buffer.count))
        }
        try check(result, encrypting ? "EVP_EncryptUpdate(aad)" : "EVP_DecryptUpdate(aad)")
    }

    func transform(_ input: [UInt8], into output: inout [UInt8], encrypting: Bool) throws(CryptoError) {
        guard !input.isEmpty else { return }
        var written: Int32 = 0
        let result = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                encrypting
                    ? EVP_EncryptUpdate(pointer, target.baseAddress, &written, source.baseAddress, Int32(source.count))
                    : EVP_DecryptUpdate(pointer, target.baseAddress, &written, source.baseAddress, Int32(source.count))
            }
        }
        try check(result, encrypting ? "EVP_EncryptUpdate" : "EVP_DecryptUpdate")
        guard Int(written) == input.count else { throw .libcryptoFailure("EVP_CipherUpdate length") }
    }
}
