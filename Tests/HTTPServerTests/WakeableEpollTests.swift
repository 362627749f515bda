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
        expectWakeIsSilentAndDrained(epoll, events)
        // Another descriptor under its own token is handed over with its bits.
        let other = registerReadableEventFD(in: epoll, token: 7)
        defer { Glibc.close(other) }
        var bits: UInt32 = 0
        #expect(epoll.wait(timeout: 1000, into: events) { token, ready in seen.append(token); bits = ready })
        #expect(seen == [7] && bits & EPOLLIN.rawValue != 0)
    }

    /// The HTTP event loop registers its eventfd under a tagged token, because it stores bare
    /// descriptors as epoll data and 0 could be a socket's. Token 0 is then an ordinary one.
    @Test func anOwnTokenIsTheWakeOnlyAndTokenZeroIsHandedOver() throws {
        let tag: UInt64 = 1 << 62
        let epoll = try WakeableEpoll(token: tag)
        defer { epoll.close() }
        #expect(epoll.token == tag)
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: 8)
        defer { events.deallocate() }
        expectWakeIsSilentAndDrained(epoll, events)
        var seen: [UInt64] = []
        let other = registerReadableEventFD(in: epoll, token: 0)
        defer { Glibc.close(other) }
        epoll.wake()
        #expect(epoll.wait(timeout: 1000, into: events) { token, _ in seen.append(token) })
        #expect(seen == [0])
    }

    @Test func drainResetsAWakeSoTheNextWaitSeesNothing() throws {
        let epoll = try WakeableEpoll(token: 9)
        defer { epoll.close() }
        epoll.wake()
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: 4)
        defer { events.deallocate() }
        // Raw epoll_wait, as the HTTP loop does it: the eventfd reports under its token.
        #expect(epoll_wait(epoll.epollFD, events, 4, 1000) == 1)
        #expect(events[0].data.u64 == 9)
        epoll.drain()
        #expect(epoll_wait(epoll.epollFD, events, 4, 0) == 0)
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

    /// After a `wake`: a wait returns without handing anything over, and the eventfd is reset,
    /// so a second wait (level-triggered) finds nothing either.
    private func expectWakeIsSilentAndDrained(_ epoll: WakeableEpoll, _ events: UnsafeMutableBufferPointer<epoll_event>,
                                              sourceLocation: SourceLocation = #_sourceLocation) {
        var seen: [UInt64] = []
        epoll.wake()
        #expect(epoll.wait(timeout: 1000, into: events) { token, _ in seen.append(token) }, sourceLocation: sourceLocation)
        #expect(epoll.wait(timeout: 0, into: events) { token, _ in seen.append(token) }, sourceLocation: sourceLocation)
        #expect(seen.isEmpty, sourceLocation: sourceLocation)
    }

    /// An eventfd that is readable at once, registered in `epoll` under `token`.
    private func registerReadableEventFD(in epoll: WakeableEpoll, token: UInt64) -> Int32 {
        let fd = eventfd(1, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = token
        #expect(epoll_ctl(epoll.epollFD, EPOLL_CTL_ADD, fd, &event) == 0)
        return fd
    }
}
