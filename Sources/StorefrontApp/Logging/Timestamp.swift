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
    static func appendRFC3339Now(to bytes: inout [UInt8]) {
        let now = nowMilliseconds()
        let second = now / 1000
        let cache = secondCache.current
        if cache.second != second {
            cache.prefix = Array(rfc3339(second * 1000).utf8.dropLast(4))
            cache.second = second
        }
        bytes.append(contentsOf: cache.prefix)
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
        var seconds = time_t(epochMilliseconds / 1000)
        let millis = Int(epochMilliseconds % 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2); out.append(UInt8(ascii: "."))
        digits(millis, 3); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// A `Date` in API.md's form: UTC, milliseconds (rounded down).
    public static func rfc3339(_ date: Date) -> String {
        rfc3339(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
