import CCrypto

extension SecureRandom {
    /// Fills `buffer` from the DRBG without allocating. One call costs microseconds whatever
    /// the size, so per-request ids draw from a larger buffer filled this way.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        guard buffer.count <= Int(Int32.max) else { throw .invalidParameters("random byte count") }
        guard RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(buffer.count)) == 1 else {
            throw .randomUnavailable
        }
    }
}
