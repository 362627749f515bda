import Glibc

/// LeakSanitizer's interface, when the test process runs under it (`scripts/test
/// --sanitize=address`); otherwise every call does nothing.
enum LeakSanitizer {
    /// Allocations this thread makes from now on are never reported, nor anything they
    /// reach. Only for a thread whose objects live until the process exits on purpose: a
    /// live Swift object that has ever had a weak reference keeps a side table that
    /// LeakSanitizer cannot see it point to (the pointer is encoded in the reference
    /// count), so the side table reads as leaked. Suppressing those by stack instead would
    /// hide every real leak of such an object, since LeakSanitizer does not report what a
    /// suppressed block reaches.
    static func ignoreAllocationsOnThisThread() {
        // Looked up at run time: only a sanitized build links the runtime that defines it.
        guard let symbol = dlsym(nil, "__lsan_disable") else { return }
        unsafeBitCast(symbol, to: (@convention(c) () -> Void).self)()
    }
}
