import Crypto

/// New trace and span ids for every request. They come from libcrypto's CSPRNG, so they
/// cannot be guessed from earlier ones, but one `RAND_bytes` call costs microseconds
/// whatever its size (about 3 µs for 24 bytes on the benchmark machine, 7 µs for 4 KiB), so
/// each thread draws from its own 4 KiB buffer and refills it when empty: ~40 ns a request.
final class TraceIDSource: Sendable {
    private static let buffers = PerThread { RandomBuffer() }

    /// A new trace id and span id, as lowercase hex.
    func next() -> (trace: String, span: String) {
        let buffer = TraceIDSource.buffers.current
        var trace = buffer.nonZeroHex(bytes: 16)
        if trace.isEmpty { trace = buffer.nonZeroHex(bytes: 16) }
        return (trace, nextSpan())
    }

    func nextSpan() -> String {
        let buffer = TraceIDSource.buffers.current
        let span = buffer.nonZeroHex(bytes: 8)
        return span.isEmpty ? buffer.nonZeroHex(bytes: 8) : span
    }
}

/// Random bytes for one thread, refilled 4 KiB at a time.
private final class RandomBuffer {
    private var bytes = [UInt8](repeating: 0, count: 4096)
    private var used = 4096

    /// `count` random bytes as hex, or "" in the astronomically unlikely case that they are
    /// all zero (an invalid id, §3.2.2.3): the caller draws again.
    func nonZeroHex(bytes count: Int) -> String {
        if used + count > bytes.count { refill() }
        let start = used
        used += count
        return bytes.withUnsafeBufferPointer { random in
            let drawn = UnsafeBufferPointer(rebasing: random[start..<start + count])
            guard drawn.contains(where: { $0 != 0 }) else { return "" }
            return String(unsafeUninitializedCapacity: count * 2) { out in
                for (index, byte) in drawn.enumerated() {
                    out[2 * index] = RandomBuffer.hexDigit(byte >> 4)
                    out[2 * index + 1] = RandomBuffer.hexDigit(byte & 0xF)
                }
                return count * 2
            }
        }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private func refill() {
        let filled = bytes.withUnsafeMutableBytes { buffer in (try? SecureRandom.fill(buffer)) != nil }
        if !filled {
            // libcrypto's DRBG failing is a broken host; ids must still be unique, not secret.
            var generator = SystemRandomNumberGenerator()
            for index in bytes.indices { bytes[index] = generator.next() }
        }
        used = 0
    }
}
