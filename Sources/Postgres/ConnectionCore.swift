import IOLoop
import CLibPQ
import CLinux

/// Everything a connection needs to know from the pool's configuration.
struct ConnectionSettings: Sendable {
    let conninfo: String
    let info: Conninfo
    let statementTimeout: Duration
    let connectTimeout: Duration
}

/// One statement waiting for, or running on, a connection.
struct Statement {
    enum Kind: Sendable {
        /// Prepared once per connection (keyed by its text), then executed with parameters.
        case prepared(String, BoundParameters)
        /// Executed without being kept; for the session setup.
        case unnamed(String, BoundParameters)
        /// Simple protocol, several statements allowed; only for migration files.
        case script(String)
    }

    let kind: Kind
    /// The client-side deadline; past it the connection is closed. `nil`: no deadline.
    let timeout: Duration?
    /// Called once, on the driver's thread, with the last result (`nil` for an empty script).
    let completion: (Result<ResultStorage?, PostgresError>) -> Void
}

/// One libpq connection, driven entirely on one driver's thread (the pool's reactor or an
/// HTTP event loop): non-blocking connect with
/// `PQconnectPoll`, then statements one at a time from a FIFO queue, with results collected
/// as the socket becomes readable. It never waits: every step either finishes or asks epoll
/// to call back when the socket is ready.
///
/// `@unchecked Sendable`: other threads only hold a reference and pass it back to the
/// driver inside jobs; every property is read and written on the driver's thread alone.
final class ConnectionCore: IOHandler, @unchecked Sendable {
    enum Phase { case connecting, ready, running, closed }

    let id: Int
    var phase = Phase.connecting
    /// Told once when the connection closes, for any reason, so the pool forgets it.
    var onClose: ((ConnectionCore) -> Void)?

    let driver: any IODriver
    let settings: ConnectionSettings
    var pg: OpaquePointer?
    private var token: UInt64 = 0
    private var watchedEvents: UInt32 = 0
    private var timer: UInt64?
    private var onOpen: ((Result<Void, PostgresError>) -> Void)?
    var pending: [Statement] = []
    var current: Statement?
    var preparing: (name: String, sql: String)?
    var lastResult: ResultStorage?
    var firstError: PostgresError?
    var statementNames: [String: String] = [:]

    init(id: Int, driver: any IODriver, settings: ConnectionSettings) {
        self.id = id
        self.driver = driver
        self.settings = settings
    }

    /// Starts connecting; `onOpen` is called once the session is set up, or with the failure.
    func open(onOpen: @escaping (Result<Void, PostgresError>) -> Void) {
        self.onOpen = onOpen
        guard let pg = PQconnectStart(settings.conninfo) else {
            return close(with: .connectionFailed("out of memory"))
        }
        self.pg = pg
        // libpq prints notices ("relation already exists, skipping") to stderr by default.
        PQsetNoticeProcessor(pg, { _, _ in }, nil)
        guard PQstatus(pg) != CONNECTION_BAD else { return close(with: connectionError()) }
        token = driver.register(self)
        let limit = settings.connectTimeout
        timer = driver.schedule(after: limit) { [weak self] in
            self?.close(with: .connectionFailed("no connection within \(limit.milliseconds) ms"))
        }
        // libpq's contract: start as if PQconnectPoll had returned PGRES_POLLING_WRITING.
        watch(EPOLLOUT.rawValue)
    }

    func ioReady(events: UInt32) {
        guard let pg else { return }
        switch phase {
        case .connecting:
            continueConnecting(pg)
        case .ready:
            // An idle connection hears from the server only when something is wrong (the
            // FATAL message before a terminated backend closes the socket) or for a notice.
            readInput(pg)
            while let notification = PQnotifies(pg) { PQfreemem(notification) }
        case .running:
            if events & EPOLLOUT.rawValue != 0 { flush() }
            guard phase == .running else { return }
            if events & ~EPOLLOUT.rawValue != 0 {
                guard readInput(pg) else { return }
                // libpq: after consuming input while a send is incomplete, flush again.
                if watchedEvents & EPOLLOUT.rawValue != 0 { flush() }
            }
            collectResults()
        case .closed:
            return
        }
    }

    /// Before the pool hands out an idle connection: reads whatever the server sent, so a
    /// connection whose backend was terminated is found dead here, not by the caller's query.
    func checkAlive() -> Bool {
        guard phase == .ready, let pg else { return false }
        return readInput(pg)
    }

    /// Ready for the next borrower: idle, nothing queued, no transaction left open.
    var isClean: Bool {
        guard phase == .ready, pending.isEmpty, let pg else { return false }
        return PQtransactionStatus(pg) == PQTRANS_IDLE
    }

    func enqueue(_ statement: Statement) {
        guard phase != .closed else { return statement.completion(.failure(.closed)) }
        pending.append(statement)
        startNext()
    }

    /// Closes the connection and fails everything queued on it with `error`.
    func close(with error: PostgresError) {
        guard phase != .closed else { return }
        phase = .closed
        if let timer { driver.cancelTimer(timer) }
        if let pg {
            // Unwatch while the descriptor is still ours: once libpq closes it the number
            // may be reused by another connection.
            let fd = PQsocket(pg)
            if fd >= 0, watchedEvents != 0 { driver.unwatch(fd: fd) }
            PQfinish(pg)
            self.pg = nil
        }
        driver.unregister(token)
        let failed = (current.map { [$0] } ?? []) + pending
        current = nil
        pending = []
        if let onOpen {
            self.onOpen = nil
            onOpen(.failure(error))
        }
        for statement in failed { statement.completion(.failure(error)) }
        onClose?(self)
    }

    // MARK: Connecting

    private func continueConnecting(_ pg: OpaquePointer) {
        switch PQconnectPoll(pg) {
        case PGRES_POLLING_READING: watch(EPOLLIN.rawValue)
        case PGRES_POLLING_WRITING: watch(EPOLLOUT.rawValue)
        case PGRES_POLLING_OK: startSession(pg)
        default: close(with: connectionError())
        }
    }

    /// Puts the session into the shape the codecs rely on (UTC, ISO dates, hex bytea, exact
    /// floats) and sets `statement_timeout`, with bound values rather than built SQL text.
    private func startSession(_ pg: OpaquePointer) {
        guard PQsetnonblocking(pg, 1) == 0 else { return close(with: connectionError()) }
        phase = .ready
        let setup = """
            SELECT set_config('statement_timeout', $1, false), set_config('TimeZone', 'UTC', false),
                   set_config('DateStyle', 'ISO, YMD', false), set_config('IntervalStyle', 'postgres', false),
                   set_config('bytea_output', 'hex', false), set_config('extra_float_digits', '3', false),
                   set_config('client_encoding', 'UTF8', false)
            """
        let parameters: BoundParameters
        do {
            parameters = try BoundParameters([String(settings.statementTimeout.milliseconds)])
        } catch {
            return close(with: error)
        }
        enqueue(Statement(kind: .unnamed(setup, parameters), timeout: nil) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success:
                if let timer { driver.cancelTimer(timer) }
                timer = nil
                let opened = onOpen
                onOpen = nil
                opened?(.success(()))
            case .failure(let error):
                close(with: error)
            }
        })
    }

    // MARK: Socket plumbing

    /// Asks epoll for `events`. While connecting the socket may be replaced by libpq (next
    /// host, SSL fallback), so the registration is renewed on every poll; afterwards only
    /// when the wanted events change.
    func watch(_ events: UInt32) {
        guard let pg else { return }
        let fd = PQsocket(pg)
        guard fd >= 0 else { return close(with: connectionError()) }
        if phase == .connecting || events != watchedEvents {
            driver.watch(fd: fd, token: token, events: events)
            watchedEvents = events
        }
    }

    /// `PQconsumeInput`; on failure the connection is closed and `false` returned.
    @discardableResult
    func readInput(_ pg: OpaquePointer) -> Bool {
        guard PQconsumeInput(pg) == 1, PQstatus(pg) == CONNECTION_OK else {
            close(with: connectionError())
            return false
        }
        return true
    }

    func connectionError() -> PostgresError {
        let raw = pg.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? ""
        let message = raw.trimmingSuffix { $0 == "\n" || $0 == " " }
        return .connectionFailed(settings.info.scrub(message.isEmpty ? "connection lost" : message))
    }

    func scheduleDeadline(_ timeout: Duration?) {
        guard let timeout else { return }
        timer = driver.schedule(after: timeout) { [weak self] in self?.close(with: .timeout) }
    }

    func cancelDeadline() {
        if let timer { driver.cancelTimer(timer) }
        timer = nil
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var text = self[...]
        while let last = text.last, predicate(last) { text = text.dropLast() }
        return String(text)
    }
}
