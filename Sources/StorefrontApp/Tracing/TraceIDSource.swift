import Crypto

/// New trace and span ids for every request. They come from libcrypto's CSPRNG, so they
/// cannot be guessed from earlier ones, but one `RAND_bytes` call costs microseconds
/// whatever its size (about 3 µs for 24 bytes on the benchmark machine, 7 µs for 4 KiB), so
/// each thread draws from its own 4 KiB buffer and refills it when empty: ~40 ns a request.
final class TraceIDSource: Sendable {
    private static let buffers = PerThread { RandomBuffer() }

    /// A new trace id and span id, as lowercase hex.
    func next() -> (trace: String, span: String) {
        let context = TraceContext(traceparent: newTraceparent(), parentSpanID: nil, sampled: false, traceState: nil)
        return (context.traceID, context.spanID)
    }

    /// `00-<new trace id>-<new span id>-00`, written in one string.
    func newTraceparent() -> String {
        let buffer = TraceIDSource.buffers.current
        return String(unsafeUninitializedCapacity: 55) { out in
            let dash = UInt8(ascii: "-"), zero = UInt8(ascii: "0")
            out[0] = zero; out[1] = zero; out[2] = dash
            while !buffer.drawNonZeroHex(bytes: 16, into: UnsafeMutableBufferPointer(rebasing: out[3..<35])) {}
            out[35] = dash
            while !buffer.drawNonZeroHex(bytes: 8, into: UnsafeMutableBufferPointer(rebasing: out[36..<52])) {}
            out[52] = dash; out[53] = zero; out[54] = zero
            return 55
        }
    }

    func nextSpan() -> String {
        let buffer = TraceIDSource.buffers.current
        let span = buffer.nonZeroHex(bytes: 8)
        return span.isEmpty ? buffer.nonZeroHex(bytes: 8) : span
    }
}

/// Random bytes for one thread, refilled 4 KiB at a time.
final class RandomBuffer {
    private var bytes = [UInt8](repeating: 0, count: 4096)
    private var used = 4096

    /// `count` random bytes as hex, or "" in the astronomically unlikely case that they are
    /// all zero (an invalid id, §3.2.2.3): the caller draws again.
    func nonZeroHex(bytes count: Int) -> String {
        var drawn = false
        let text = String(unsafeUninitializedCapacity: count * 2) { out in
            drawn = drawNonZeroHex(bytes: count, into: out)
            return drawn ? count * 2 : 0
        }
        return drawn ? text : ""
    }

    /// Writes `count` random bytes as `2 * count` hex digits into `out`; false (and `out`
    /// unspecified) when they were all zero.
    func drawNonZeroHex(bytes count: Int, into out: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        precondition(out.count >= 2 * count)
        if used + count > bytes.count { refill() }
        let start = used
        used += count
        return bytes.withUnsafeBufferPointer { random in
            guard let source = random.baseAddress, let target = out.baseAddress else { return false }
            var any: UInt8 = 0
            // Pointers, not indices, and no overflow checks: the indexed loop's bounds checks
            // and `enumerated()` were two thirds of a new trace's cost.
            for index in 0..<count {
                let byte = source[start &+ index]
                any |= byte
                target[index &* 2] = RandomBuffer.hexDigit(byte >> 4)
                target[index &* 2 &+ 1] = RandomBuffer.hexDigit(byte & 0xF)
            }
            return any != 0
        }
    }

    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        // Without a branch: 9 - nibble wraps past 127 exactly for a-f, which adds the 39
        // between '9' + 1 and 'a'.
        nibble &+ UInt8(ascii: "0") &+ ((9 &- nibble) >> 7) &* 39
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
