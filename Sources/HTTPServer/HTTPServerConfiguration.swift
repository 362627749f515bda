import HTTPCore

/// Everything the server needs to know, decided by its owner (the app's typed configuration).
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    /// 0 asks the kernel for a free port; `HTTPServer.start()` returns the one bound.
    public var port: Int
    public var eventLoops: Int
    /// Accepted connections beyond this are closed at once.
    public var maxConnections: Int
    public var maxBodyBytes: Int
    public var parserLimits: HTTPParserLimits
    /// A request whose head (or body, between bytes) does not arrive in time gets 408.
    public var headerTimeoutMs: Int
    /// A keep-alive connection with no request in progress is closed after this long.
    public var idleTimeoutMs: Int
    /// The whole body must arrive within this long of the head (408 otherwise), however
    /// steadily it trickles in.
    public var bodyTimeoutMs: Int
    /// A connection whose queued output makes no progress for this long is reset: the
    /// client has stopped reading.
    public var writeTimeoutMs: Int
    public var listenBacklog: Int32
    /// How long accepting pauses once the process is out of file descriptors.
    var acceptBackoffMs = 250

    public init(host: String = "0.0.0.0", port: Int = 8080, eventLoops: Int = 1,
                maxConnections: Int = 20_000, maxBodyBytes: Int = 1_048_576,
                parserLimits: HTTPParserLimits = HTTPParserLimits(),
                headerTimeoutMs: Int = 10_000, idleTimeoutMs: Int = 60_000,
                listenBacklog: Int32 = 4096, bodyTimeoutMs: Int = 30_000, writeTimeoutMs: Int = 30_000) {
        self.host = host
        self.port = port
        self.eventLoops = max(1, eventLoops)
        self.maxConnections = maxConnections
        self.maxBodyBytes = maxBodyBytes
        self.parserLimits = parserLimits
        self.headerTimeoutMs = headerTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.bodyTimeoutMs = bodyTimeoutMs
        self.writeTimeoutMs = writeTimeoutMs
        self.listenBacklog = listenBacklog
    }
}
