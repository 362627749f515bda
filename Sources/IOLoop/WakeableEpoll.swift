import CLinux
import Glibc

/// An epoll instance with an eventfd registered in it, which any thread may `wake`: how
/// every loop with a thread of its own sleeps and is woken (the HTTP event loops, the pool's
/// reactor, the outbound client's loop). The owner closes both descriptors when it goes away.
public struct WakeableEpoll: Sendable {
    /// The `epoll_event.data.u64` the eventfd is registered under, unless the owner picks
    /// another; other registrations use other tokens.
    public static let wakeToken: UInt64 = 0

    public let epollFD: Int32
    public let wakeFD: Int32
    /// What this instance's eventfd is registered under.
    public let token: UInt64

    /// A system call that failed while setting it up, with its errno.
    public struct Failure: Error, Sendable {
        public let call: String
        public let errno: Int32
    }

    /// - Parameter token: the eventfd's epoll data. The HTTP event loop stores bare
    ///   descriptors as data, where 0 could be a socket (stdin closed), so it picks a tagged one.
    public init(token: UInt64 = WakeableEpoll.wakeToken) throws(Failure) {
        self.token = token
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw Failure(call: "epoll_create1", errno: Glibc.errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let error = Failure(call: "eventfd", errno: Glibc.errno)
            Glibc.close(epollFD)
            throw error
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = token
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
            let error = Failure(call: "epoll_ctl(eventfd)", errno: Glibc.errno)
            close()
            throw error
        }
    }

    /// Resets the eventfd after a wake, so that level-triggered epoll stops reporting it.
    public func drain() {
        var value: UInt64 = 0
        _ = read(wakeFD, &value, 8)
    }

    /// Any thread: makes the loop's next (or current) `epoll_wait` return.
    public func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// The loop thread: waits up to `timeout` ms (-1: no limit), resets the eventfd when it
    /// was woken, and hands every other event's token and bits to `ready`. False when
    /// `epoll_wait` failed for another reason than a signal: the loop cannot go on.
    public func wait(timeout: Int32, into events: UnsafeMutableBufferPointer<epoll_event>,
                     _ ready: (_ token: UInt64, _ events: UInt32) -> Void) -> Bool {
        guard let base = events.baseAddress else { return false }
        let count = epoll_wait(epollFD, base, Int32(events.count), timeout)
        if count < 0 { return Glibc.errno == EINTR }
        for index in 0..<Int(count) {
            let token = events[index].data.u64
            if token == self.token {
                drain()
            } else {
                ready(token, events[index].events)
            }
        }
        return true
    }

    public func close() {
        Glibc.close(epollFD)
        Glibc.close(wakeFD)
    }
}

/// Starts a detached thread that runs `body` under `name` (what `top -H`, `perf` and /proc
/// show; 15 bytes are kept) and keeps what `body` captures alive until it returns. Nobody
/// joins it: a loop reports its own end. Returns 0, or `pthread_create`'s error.
public enum LoopThread {
    public static func start(named name: String, _ body: @escaping @Sendable () -> Void) -> Int32 {
        final class Start: Sendable {
            let name: String
            let body: @Sendable () -> Void
            init(name: String, body: @escaping @Sendable () -> Void) { self.name = name; self.body = body }
        }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        let started = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            let start = Unmanaged<Start>.fromOpaque(context).takeRetainedValue()
            clinux_set_thread_name(start.name)
            start.body()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            return started
        }
        pthread_detach(thread)
        return 0
    }
}
