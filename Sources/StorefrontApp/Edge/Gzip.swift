import CZlib

/// gzip (RFC 1952) through zlib, on the calling thread.
///
/// Compression runs on the event loop that answers the request: it is a few hundred
/// microseconds for the bodies this API returns (tens of KiB at most), less than a thread
/// hop would cost. What is expensive is setting zlib up: `deflateInit2` allocates about
/// 256 KiB of window and hash tables, and on the benchmark machine init + end took longer
/// than compressing 8 KiB. So each thread keeps one stream and `deflateReset`s it per
/// body; a stream is never touched by two threads.
enum Gzip {
    /// zlib's default trade-off; 7-9 cost much more CPU for a few percent on JSON.
    static let level: Int32 = 6

    private static let streams = PerThread { DeflateStream(level: Gzip.level) }

    /// The gzip member for `input`, or nil if zlib fails (the caller sends identity).
    static func compress(_ input: [UInt8]) -> [UInt8]? {
        streams.current.compress(input)
    }
}

/// One zlib deflate stream with the gzip wrapper (window bits 15 + 16 = 31), reusable
/// after `deflateReset`. Heap-allocated: zlib keeps a pointer back to the `z_stream` and
/// refuses a stream that has moved.
private final class DeflateStream {
    private let stream: UnsafeMutablePointer<z_stream>
    private let ready: Bool

    init(level: Int32) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        ready = deflateInit2_(stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY,
                              zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }

    deinit {
        if ready { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    func compress(_ input: [UInt8]) -> [UInt8]? {
        guard ready, input.count < Int(UInt32.max), deflateReset(stream) == Z_OK else { return nil }
        let bound = Int(deflateBound(stream, uLong(input.count)))
        var finished = false
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            count = 0
            input.withUnsafeBufferPointer { source in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.pointee.avail_in = uInt(source.count)
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = uInt(bound)
                // deflateBound is enough room for one Z_FINISH call to finish.
                if deflate(stream, Z_FINISH) == Z_STREAM_END {
                    count = bound - Int(stream.pointee.avail_out)
                    finished = true
                }
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
            }
        }
        return finished ? output : nil
    }
}
