import Glibc

/// One `Value` per thread, made on first use there and released when the thread ends.
/// For state that is cheap to keep and costly to rebuild per request (a zlib stream, a
/// buffer of random bytes) and must never be shared between threads. A value may be used
/// only between two suspension points: a task can resume on another thread after `await`.
final class PerThread<Value: AnyObject>: @unchecked Sendable {
    // @unchecked: `key` is immutable after init, and each thread sees only its own value.
    private let key: pthread_key_t
    private let make: @Sendable () -> Value

    /// Keep instances in `static let`s: the system has a small fixed number of keys.
    init(_ make: @escaping @Sendable () -> Value) {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<AnyObject>.fromOpaque(pointer).release() }
        }
        precondition(status == 0, "pthread_key_create failed: \(status)")
        self.key = key
        self.make = make
    }

    var current: Value {
        if let raw = pthread_getspecific(key) {
            return Unmanaged<Value>.fromOpaque(raw).takeUnretainedValue()
        }
        let value = make()
        pthread_setspecific(key, Unmanaged.passRetained(value).toOpaque())
        return value
    }
}
