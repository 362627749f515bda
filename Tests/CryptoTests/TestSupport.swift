import Locking
import Dispatch
import Synchronization

/// Bytes from a hex string in a test vector; spaces are ignored so vectors can be pasted as
/// the RFCs print them. Invalid hex yields an empty array, which then fails the comparison.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") })
    guard digits.count % 2 == 0 else { return [] }
    var out = [UInt8]()
    var index = 0
    while index < digits.count {
        guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else {
            return []
        }
        out.append(high << 4 | low)
        index += 2
    }
    return out
}

private func nibble(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// The UTF-8 bytes of `text`.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// A one-shot signal fired from any thread (e.g. a password-hashing pool thread) and awaited
/// by a test without blocking a cooperative thread.
final class OneShotSignal: Sendable {
    private struct State {
        var fired = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Locked(State())

    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyFired = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiter = continuation
                return false
            }
            if alreadyFired { continuation.resume() }
        }
    }
}

/// A gate a pool job blocks on (on its dedicated thread, never a cooperative one) until the
/// test opens it.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    func block() { semaphore.wait() }
    func open() { semaphore.signal() }
}
