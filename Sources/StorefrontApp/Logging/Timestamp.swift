import Foundation
import Glibc

/// RFC 3339 UTC timestamps with milliseconds (`2026-02-02T21:30:00.123Z`), as API.md fixes.
public enum Timestamp {
    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// The same as `rfc3339`, reusing the formatted second while it lasts: log lines ask
    /// for the time of every request, and `gmtime_r` plus formatting was visible in profiles.
    public static func rfc3339Now() -> String {
        var bytes: [UInt8] = []
        appendRFC3339Now(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `rfc3339Now()` written into `bytes`. Each thread keeps its own formatted second, so
    /// no lock is taken and no string is built per log line.
    static func appendRFC3339Now<Output: JSONOutput>(to bytes: inout Output) {
        let now = nowMilliseconds()
        let second = now / 1000
        let cache = secondCache.current
        if cache.second != second {
            cache.prefix = Array(rfc3339(second * 1000).utf8.dropLast(4))
            cache.second = second
        }
        cache.prefix.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
        let millis = Int(now % 1000)
        bytes.append(UInt8(ascii: "0") + UInt8(millis / 100))
        bytes.append(UInt8(ascii: "0") + UInt8(millis / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(millis % 10))
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `2026-02-02T21:30:00.` for the second last formatted on this thread.
    private final class SecondCache {
        var second: Int64 = -1
        var prefix: [UInt8] = []
    }

    private static let secondCache = PerThread { SecondCache() }

    public static func rfc3339(_ epochMilliseconds: Int64) -> String {
        var out = [UInt8]()
        out.reserveCapacity(24)
        appendRFC3339(epochMilliseconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `rfc3339(_:)` written into `out`: response bodies write timestamps in place.
    static func appendRFC3339(_ epochMilliseconds: Int64, to out: inout [UInt8]) {
        // Floored, so a moment before 1970 keeps milliseconds in 0...999: truncated, they
        // came out negative and the digit writer trapped.
        let (quotient, remainder) = epochMilliseconds.quotientAndRemainder(dividingBy: 1000)
        var seconds = time_t(remainder < 0 ? quotient - 1 : quotient)
        let millis = Int(remainder < 0 ? remainder + 1000 : remainder)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        // Years before 1 BC (never written by this server) get a sign rather than a trap.
        if year < 0 { out.append(UInt8(ascii: "-")) }
        // Formatted in a 24-byte buffer on the stack and appended in one copy: a product has
        // two timestamps, and an append per byte cost more than the digits.
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &text) { buffer in
            /// The last `width` (2...4) digits of `value` at `offset`, then `separator`.
            func put(_ value: Int, _ width: Int, at offset: Int, _ separator: Unicode.Scalar) {
                if width == 4 { buffer[offset] = digit(value / 1000) }
                if width >= 3 { buffer[offset + width - 3] = digit(value / 100) }
                buffer[offset + width - 2] = digit(value / 10)
                buffer[offset + width - 1] = digit(value)
                buffer[offset + width] = UInt8(ascii: separator)
            }
            put(abs(year), 4, at: 0, "-")
            put(Int(parts.tm_mon) + 1, 2, at: 5, "-")
            put(Int(parts.tm_mday), 2, at: 8, "T")
            put(Int(parts.tm_hour), 2, at: 11, ":")
            put(Int(parts.tm_min), 2, at: 14, ":")
            put(Int(parts.tm_sec), 2, at: 17, ".")
            put(millis, 3, at: 20, "Z")
            out.append(contentsOf: buffer)
        }
    }

    /// The last decimal digit of a non-negative value.
    @inline(__always)
    private static func digit(_ value: Int) -> UInt8 { UInt8(ascii: "0") + UInt8(value % 10) }

    /// A `Date` in API.md's form: UTC, milliseconds (rounded down).
    public static func rfc3339(_ date: Date) -> String {
        rfc3339(epochMilliseconds(date))
    }

    /// Milliseconds since 1970, rounded down: the precision API.md gives timestamps.
    static func epochMilliseconds(_ date: Date) -> Int64 {
        let floored = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        // A moment read from PostgreSQL is a whole millisecond, but `Date` keeps it relative
        // to 2001, and times 1000 it can land a hair below that millisecond: -0.001 s came
        // out as -1.0000000000000002, the millisecond before (half the moments before 1970).
        // Only a date that is exactly the next millisecond, built the way a read builds it, moves up.
        let next = floored + 1
        return Date(timeIntervalSince1970: Double(next) / 1000) == date ? next : floored
    }
}
