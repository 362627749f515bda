import Locking
import CLinux
import Glibc
@testable import HTTPServer
import HTTPTestSupport
import IOLoop
import Synchronization
import Testing
import TestSupport

/// Reads an eventfd whenever the loop says it is readable, and notes on which thread;
/// with `removesItself`, stops watching and unregisters from inside its first callback.
private final class EventFDReader: IOHandler, @unchecked Sendable {
    let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    let driver: any IODriver
    let removesItself: Bool
    var token: UInt64 = 0  // loop thread only
    let reads = Atomic<Int>(0)
    let offThread = Atomic<Int>(0)
    init(driver: any IODriver, removesItself: Bool = false) {
        self.driver = driver
        self.removesItself = removesItself
    }
    deinit { close(fd) }

    func ioReady(events: UInt32) {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
        if !driver.isCurrent { offThread.add(1, ordering: .relaxed) }
        reads.add(1, ordering: .relaxed)
        if removesItself {
            driver.unwatch(fd: fd)
            driver.unregister(token)
        }
    }

    func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }
}

/// Runs `body` on `driver` and returns what it gives back there.
private func onDriver<T: Sendable>(_ driver: any IODriver, _ body: @escaping @Sendable () -> T) async -> T? {
    await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        if !driver.execute({ continuation.resume(returning: body()) }) { continuation.resume(returning: nil) }
    }
}

/// The event loop as an `IODriver` (ADR 0010): foreign descriptors, timers, jobs and stop
/// hooks, alongside the loop's own listener and connections.
@Suite struct LoopDriverTests {
    /// Operators tell the loops apart in `top -H`, `perf` and /proc by these names.
    @Test func eachLoopThreadCarriesItsName() async throws {
        try await withServer { server, _ in
            var names: [String?] = []
            for driver in server.ioLoops {
                names.append(await onDriver(driver) { () -> String in
                    // What the kernel has for the calling thread: the name everyone else sees.
                    let fd = open("/proc/thread-self/comm", O_RDONLY)
                    defer { close(fd) }
                    var buffer = [UInt8](repeating: 0, count: 32)
                    let count = read(fd, &buffer, buffer.count)
                    return String(decoding: buffer.prefix(max(0, count)).filter { $0 != 10 }, as: UTF8.self)
                })
            }
            #expect(names == ["http-loop-0", "http-loop-1"])
        }
    }

    @Test func executeRunsOnTheLoopThreadAndInlineWhenAlreadyThere() async throws {
        try await withServer { server, _ in
            #expect(server.ioLoops.count == 2)
            for driver in server.ioLoops {
                #expect(!driver.isCurrent)
                let result = await onDriver(driver) { () -> [String] in
                    let order = Locked(["outer", driver.isCurrent ? "on loop" : "off loop"])
                    // Inline on the loop's own thread: done before `execute` returns.
                    driver.execute { order.withLock { $0.append("inner") } }
                    order.withLock { $0.append("after") }
                    return order.withLock { $0 }
                }
                #expect(result == ["outer", "on loop", "inner", "after"])
            }
        }
    }

    @Test func aForeignDescriptorIsDispatchedOnItsLoopWhileHTTPStillWorks() async throws {
        try await withServer { server, port in
            let driver = try #require(server.ioLoops.first)
            let reader = EventFDReader(driver: driver)
            _ = await onDriver(driver) {
                let token = driver.register(reader)
                driver.watch(fd: reader.fd, token: token, events: EPOLLIN.rawValue)
            }
            for round in 1...3 {
                reader.signal()
                #expect(await eventually { reader.reads.load(ordering: .relaxed) >= round })
                // The listener and the loop's connections are dispatched as before.
                let client = try RawHTTPClient(port: port)
                try client.send("GET /after-\(round) HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.readResponse().bodyText == "GET /after-\(round) 0")
            }
            #expect(reader.offThread.load(ordering: .relaxed) == 0)
            _ = await onDriver(driver) { driver.unwatch(fd: reader.fd) }
        }
    }

    @Test func timersFireInDeadlineOrderAndACancelledOneNever() async throws {
        try await withServer { server, _ in
            let driver = try #require(server.ioLoops.first)
            let fired = Locked<[String]>([])
            _ = await onDriver(driver) {
                _ = driver.schedule(after: .milliseconds(30)) { fired.withLock { $0.append("late") } }
                let cancelled = driver.schedule(after: .milliseconds(1)) { fired.withLock { $0.append("cancelled") } }
                _ = driver.schedule(after: .milliseconds(2)) { fired.withLock { $0.append("early") } }
                driver.cancelTimer(cancelled)
            }
            #expect(await eventually { fired.withLock { $0.count } == 2 })
            #expect(fired.withLock { $0 } == ["early", "late"])
        }
    }

    /// A handler that unregisters itself and a timer that schedules the next one, as a
    /// closing PostgreSQL connection and a reconnect delay do: both change the loop's
    /// foreign-descriptor state from inside its own dispatch (which once trapped on Swift's
    /// exclusivity check).
    @Test func handlersAndTimersMayChangeTheLoopsTablesFromInsideTheirCallback() async throws {
        try await withServer { server, port in
            let driver = try #require(server.ioLoops.first)
            let reader = EventFDReader(driver: driver, removesItself: true)
            let chained = Atomic<Int>(0)
            _ = await onDriver(driver) {
                reader.token = driver.register(reader)
                driver.watch(fd: reader.fd, token: reader.token, events: EPOLLIN.rawValue)
                _ = driver.schedule(after: .milliseconds(1)) {
                    chained.add(1, ordering: .relaxed)
                    _ = driver.schedule(after: .milliseconds(1)) { chained.add(1, ordering: .relaxed) }
                }
            }
            reader.signal()
            #expect(await eventually { reader.reads.load(ordering: .relaxed) == 1 && chained.load(ordering: .relaxed) == 2 })
            reader.signal()
            let client = try RawHTTPClient(port: port)
            try client.send("GET /still-serving HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().bodyText == "GET /still-serving 0")
            #expect(reader.reads.load(ordering: .relaxed) == 1)
        }
    }

    /// Without this the loop slept its full 250 ms between timers: a statement deadline or
    /// pool timeout of a few milliseconds would fire up to a quarter of a second late.
    @Test func theEpollTimeoutHonoursTheNextTimer() {
        var io = LoopIO()
        #expect(io.waitTimeout(atMost: 250) == 250)
        let id = io.timers.schedule(at: .now + .milliseconds(5)) {}
        #expect(io.waitTimeout(atMost: 250) <= 5)
        io.timers.cancel(id)
        #expect(io.waitTimeout(atMost: 250) == 250)
        _ = io.timers.schedule(at: .now - .milliseconds(1)) {}
        #expect(io.waitTimeout(atMost: 250) == 0)
    }

    @Test func stopHooksRunOnTheLoopAndThenExecuteRefuses() async throws {
        let configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoops: 2, maxBodyBytes: 1024)
        let server = HTTPServer(configuration: configuration, handler: EchoHandler())
        try server.start()
        let hooks = Locked<[Bool]>([])
        for driver in server.ioLoops {
            _ = await onDriver(driver) {
                driver.whenStopping { hooks.withLock { $0.append(driver.isCurrent) } }
            }
        }
        await server.shutdown(grace: .milliseconds(0))
        #expect(hooks.withLock { $0 } == [true, true])
        for driver in server.ioLoops {
            #expect(!driver.execute {})
            #expect(!driver.isCurrent)
        }
    }
}
