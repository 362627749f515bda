import CLinux
import Synchronization

/// A value behind a `Mutex`, with the ordering the lock gives declared to ThreadSanitizer.
///
/// A contended `Synchronization.Mutex` waits on a futex inside the standard library, which
/// is not instrumented: TSan never sees the waiter acquire the lock, so it reports what two
/// threads did under it as a data race (docs/fuzzing.md). Every critical section here is
/// bracketed with `__tsan_acquire`/`__tsan_release` on the instance, which restores the
/// edge. Without TSan both are weak symbols that resolve to nothing: one branch each.
///
/// Use this instead of `Mutex` everywhere a lock guards state, so sanitizer reports mean
/// a real race.
public final class Locked<Value: ~Copyable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ initialValue: consuming sending Value) {
        mutex = Mutex(initialValue)
    }

    public func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        let token = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
        return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            clinux_tsan_acquire(token)
            defer { clinux_tsan_release(token) }
            return try body(&value)
        }
    }
}
