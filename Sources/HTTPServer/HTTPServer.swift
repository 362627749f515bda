import Foundation
import CLinux
import Glibc
import HTTPCore
import IOLoop
import Locking
import Synchronization

/// An HTTP/1.1 server on epoll: `EVENT_LOOPS` threads share one listening socket, each
/// owning the connections it accepted. It knows nothing of the application behind
/// `HTTPRequestHandler`. See docs/adr/0001-http-concurrency-model.md.
public final class HTTPServer: Sendable {
    let core: ServerCore

    public init(configuration: HTTPServerConfiguration, handler: any HTTPRequestHandler,
                logger: (any HTTPServerLogger)? = nil) {
        core = ServerCore(configuration: configuration, handler: handler, logger: logger, acceptCall: Sys.accept)
    }

    /// Tests substitute `accept` to produce descriptor exhaustion on demand.
    init(configuration: HTTPServerConfiguration, handler: any HTTPRequestHandler,
         logger: (any HTTPServerLogger)?, acceptCall: @escaping AcceptCall) {
        core = ServerCore(configuration: configuration, handler: handler, logger: logger, acceptCall: acceptCall)
    }

    /// The loops and the core hold each other (a loop asks the core for its siblings, the core
    /// lists the loops), and the handler often holds the loops too. Once they have stopped
    /// nothing asks again, so the core lets go of both and a stopped server is freed with its
    /// handler's whole object graph; tests start hundreds. Running loops keep it alive
    /// through their threads, as they must.
    deinit { core.releaseIfStopped() }

    /// Binds, listens and starts the loops. Returns the bound port (useful with port 0).
    @discardableResult
    public func start() throws -> Int { try core.start() }

    public var port: Int { core.boundPort.load(ordering: .relaxed) }

    /// The event loops as drivers for other modules' descriptors and timers (ADR 0010), one
    /// per `EVENT_LOOPS`; empty before `start()`. A loop runs its stop hooks on its own thread
    /// during `shutdown`, and refuses jobs once stopped.
    public var ioLoops: [any IODriver] { core.loops }
    public var openConnections: Int { core.openConnections.load(ordering: .relaxed) }
    public var inFlightRequests: Int { core.inFlight.load(ordering: .relaxed) }

    /// Graceful shutdown: stop accepting, close idle connections, let in-flight requests
    /// finish for up to `grace`, then close whatever is left and stop the loops. Returns
    /// once the loops have stopped.
    public func shutdown(grace: Duration) async {
        core.beginShutdown(grace: grace)
        await core.waitUntilStopped()
    }

    /// Starts the same shutdown without waiting: usable from any thread, and needs no
    /// thread of Swift's cooperative pool (the work goes to the loops' own executors).
    public func beginShutdown(grace: Duration) {
        core.beginShutdown(grace: grace)
    }
}

/// The state the loops share.
///
/// `@unchecked Sendable`: everything mutable is atomic or behind a lock, except `listenFD`
/// and `loops`. Those are written once, inside `start()` under `started`, before any loop
/// thread exists (starting a thread orders the writes before its reads), and read only
/// after `start()` has returned; `loops` and `handler` are written once more, when the
/// stopped server is dropped (`releaseIfStopped`).
final class ServerCore: @unchecked Sendable {
    let configuration: HTTPServerConfiguration
    /// The application while the server can serve. `releaseIfStopped` swaps it for
    /// `StoppedServerHandler`: the application usually leads back to the loops (a database
    /// pool's shards run on them), and through them to this core.
    private(set) var handler: any HTTPRequestHandler
    let acceptCall: AcceptCall
    private let logger: (any HTTPServerLogger)?
    private(set) var listenFD: Int32 = -1
    private(set) var loops: [EventLoop] = []

    /// The loop to give a new connection: `accepting` unless another has fewer.
    func loopWithFewestConnections(preferring accepting: EventLoop) -> EventLoop {
        var best = accepting, fewest = accepting.assignedConnections.load(ordering: .relaxed)
        for loop in loops where loop !== accepting {
            let count = loop.assignedConnections.load(ordering: .relaxed)
            if count < fewest { best = loop; fewest = count }
        }
        return best
    }
    let boundPort = Atomic<Int>(0)
    let openConnections = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)
    private let drainDeadline = Atomic<Int64>(Int64.max)
    private let runningLoops = Atomic<Int>(0)
    private let shutdownStarted = Atomic<Bool>(false)
    /// Set before any loop hears of the shutdown, so every response produced after
    /// `shutdown` began says `Connection: close`, whichever loop it is on.
    let draining = Atomic<Bool>(false)
    /// Everyone waiting for the loops to stop; `stopped` turns true once, when the last exits.
    private let stopWaiters = Locked<(stopped: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))
    private let started = Locked(false)
    /// The connection cap in force: the configured one, kept below the descriptor limit.
    private(set) var connectionLimit = 0
    /// Set while some loop cannot accept for want of descriptors; logs once per episode.
    private let outOfDescriptors = Atomic<Bool>(false)

    init(configuration: HTTPServerConfiguration, handler: any HTTPRequestHandler,
         logger: (any HTTPServerLogger)?, acceptCall: @escaping AcceptCall) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.acceptCall = acceptCall
    }

    func log(_ level: HTTPServerLogLevel, _ message: String, _ metadata: [String: String] = [:]) {
        logger?.serverEvent(level, message, metadata)
    }

    func start() throws -> Int {
        try started.withLock { isStarted in
            guard !isStarted else { return }
            isStarted = true
            signal(SIGPIPE, SIG_IGN)
            let descriptors = Descriptors.raiseSoftLimit()
            connectionLimit = ConnectionBudget.cap(configured: configuration.maxConnections, descriptorLimit: descriptors)
            listenFD = try Listener.open(host: configuration.host, port: configuration.port,
                                         backlog: configuration.listenBacklog)
            boundPort.store(Listener.localPort(listenFD), ordering: .relaxed)
            loops = try (0..<configuration.eventLoops).map { try EventLoop(index: $0, server: self) }
            runningLoops.store(loops.count, ordering: .relaxed)
            for loop in loops {
                Thread { loop.run() }.start()
            }
        }
        return boundPort.load(ordering: .relaxed)
    }

    /// Only from `HTTPServer.deinit`: no other thread can then call `beginShutdown`,
    /// `waitUntilStopped` or `ioLoops`, and a loop reads `loops` and `handler` only while it
    /// runs, before its `loopDidStop`.
    func releaseIfStopped() {
        guard runningLoops.load(ordering: .acquiring) == 0 else { return }
        loops = []
        handler = StoppedServerHandler()
    }

    func reserveConnectionSlot() -> Bool {
        let now = openConnections.wrappingAdd(1, ordering: .relaxed).newValue
        if now > connectionLimit {
            openConnections.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func releaseConnectionSlot() {
        openConnections.wrappingSubtract(1, ordering: .relaxed)
    }

    func descriptorsExhausted(code: Int32) {
        if !outOfDescriptors.exchange(true, ordering: .relaxed) {
            log(.warning, "out of file descriptors; accepting paused", ["errno": "\(code)"])
        }
    }

    func descriptorsAvailable() {
        // A plain load first: the common case (never exhausted) costs no write.
        if outOfDescriptors.load(ordering: .relaxed) && outOfDescriptors.exchange(false, ordering: .relaxed) {
            log(.info, "accepting connections again")
        }
    }

    func requestStarted() { inFlight.wrappingAdd(1, ordering: .relaxed) }
    func requestFinished() { inFlight.wrappingSubtract(1, ordering: .relaxed) }

    func drainDeadlinePassed(now: Int64) -> Bool {
        now >= drainDeadline.load(ordering: .relaxed)
    }

    /// Safe to call more than once and from several tasks: every caller returns once the
    /// loops have stopped.
    func beginShutdown(grace: Duration) {
        guard !loops.isEmpty else { return }
        if !shutdownStarted.exchange(true, ordering: .acquiringAndReleasing) {
            draining.store(true, ordering: .releasing)
            // Saturating: a grace of Duration.seconds(Int64.max) means "wait for ever", not a trap.
            let (deadline, late) = Sys.monotonicMilliseconds().addingReportingOverflow(ServerCore.milliseconds(grace))
            drainDeadline.store(late ? Int64.max : deadline, ordering: .relaxed)
            for loop in loops {
                // The loops stop themselves once their connections are gone or the deadline passed.
                loop.execute {
                    loop.beginDraining()
                    loop.stopWhenIdle()
                }
            }
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (whole, overflow) = duration.components.seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return duration.components.seconds < 0 ? 0 : .max }
        let (total, late) = whole.addingReportingOverflow(duration.components.attoseconds / 1_000_000_000_000_000)
        return late ? .max : total
    }

    func waitUntilStopped() async {
        guard !loops.isEmpty else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyStopped = stopWaiters.withLock { state -> Bool in
                if state.stopped { return true }
                state.waiting.append(continuation)
                return false
            }
            if alreadyStopped { continuation.resume() }
        }
    }

    func loopDidStop() {
        guard runningLoops.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        if listenFD >= 0 { close(listenFD) }
        log(.info, "http server stopped")
        let waiting = stopWaiters.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stopped = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

/// What a stopped and dropped server's core holds instead of the application. No loop runs
/// to call it; it answers 503 all the same.
private struct StoppedServerHandler: HTTPRequestHandler {
    nonisolated(nonsending) func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        HTTPResponse(status: .serviceUnavailable)
    }
}
