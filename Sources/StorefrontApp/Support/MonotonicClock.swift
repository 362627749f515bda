#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC: never jumps with the wall clock, so a clock change cannot refill or
/// drain every rate-limit bucket at once. Plain nanoseconds also make a request's duration
/// one subtraction: `ContinuousClock` instants and `Duration` do their arithmetic in 128
/// bits, some 600 instructions a request for the access line and the metrics.
public struct MonotonicClock: RateLimitClock {
    public init() {}

    @inline(__always)
    public func nanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }
}
