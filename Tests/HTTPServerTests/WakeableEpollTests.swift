import CLinux
import Glibc
import IOLoop
import Testing

/// The epoll-plus-eventfd that the pool's reactor and the client's loop sleep on.
@Suite struct WakeableEpollTests {
    @Test func aWakeReturnsTheWaitWithoutAnEventAndOtherTokensAreHandedOver() throws {
        let epoll = try WakeableEpoll()
        defer { epoll.close() }
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 8)
        defer { events.deallocate() }
        var seen: [UInt64] = []
        // Nothing ready: the wait times out and reports nothing.
        #expect(epoll.wait(timeout: 0, into: events) { token, _ in seen.append(token) })
        #expect(seen.isEmpty)
        // Woken twice before waiting: one return, nothing handed over, the eventfd reset.
        epoll.wake()
        epoll.wake()
        #expect(epoll.wait(timeout: 1000, into: events) { token, _ in seen.append(token) })
        #expect(seen.isEmpty)
        #expect(epoll.wait(timeout: 0, into: events) { token, _ in seen.append(token) })
        #expect(seen.isEmpty)
        // Another descriptor under its own token is handed over with its bits.
        let other = eventfd(1, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        defer { Glibc.close(other) }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = 7
        #expect(epoll_ctl(epoll.epollFD, EPOLL_CTL_ADD, other, &event) == 0)
        var bits: UInt32 = 0
        #expect(epoll.wait(timeout: 1000, into: events) { token, ready in seen.append(token); bits = ready })
        #expect(seen == [7] && bits & EPOLLIN.rawValue != 0)
    }

    @Test func theThreadRunsItsBodyUnderItsName() async throws {
        let name = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let started = LoopThread.start(named: "wake-test-1") {
                let fd = open("/proc/thread-self/comm", O_RDONLY)
                var buffer = [UInt8](repeating: 0, count: 32)
                let count = read(fd, &buffer, buffer.count)
                Glibc.close(fd)
                continuation.resume(returning: String(decoding: buffer.prefix(max(0, count)).filter { $0 != 10 }, as: UTF8.self))
            }
            if started != 0 { continuation.resume(returning: "error \(started)") }
        }
        #expect(name == "wake-test-1")
    }
}
