/// How a `PostgresPool` connects and how long it waits. Built once from the application's
/// configuration (`DATABASE_URL`, `DB_POOL_SIZE`, `DB_POOL_TIMEOUT_MS`, `DB_STATEMENT_TIMEOUT_MS`).
///
/// `description` masks the password, so the configuration can be logged.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// A libpq connection string, `postgres://user:pass@host:port/db?sslmode=...` or
    /// `host=... dbname=...`, handed to libpq unchanged.
    public var conninfo: String
    /// The most connections the pool opens; they are opened lazily, on demand.
    public var poolSize: Int
    /// How long a caller waits for a free connection before `PostgresError.poolTimeout`.
    public var acquireTimeout: Duration
    /// The server-side `statement_timeout` of every connection (zero disables it). The client
    /// also gives up on a statement one second after this, in case the server cannot answer.
    public var statementTimeout: Duration
    /// How long opening one connection (TCP, TLS, authentication, session setup) may take.
    public var connectTimeout: Duration
    /// The first delay before retrying after a failed connection attempt; it doubles with each
    /// further failure up to `reconnectMaxDelay`, each delay randomised down to half.
    public var reconnectBaseDelay: Duration
    public var reconnectMaxDelay: Duration
    /// How many times `withTransaction` retries after a serialization failure or deadlock.
    public var transactionRetries: Int

    public init(conninfo: String,
                poolSize: Int = 10,
                acquireTimeout: Duration = .milliseconds(2000),
                statementTimeout: Duration = .milliseconds(5000),
                connectTimeout: Duration = .seconds(5),
                reconnectBaseDelay: Duration = .milliseconds(100),
                reconnectMaxDelay: Duration = .seconds(5),
                transactionRetries: Int = 3) {
        self.conninfo = conninfo
        self.poolSize = poolSize
        self.acquireTimeout = acquireTimeout
        self.statementTimeout = statementTimeout
        self.connectTimeout = connectTimeout
        self.reconnectBaseDelay = reconnectBaseDelay
        self.reconnectMaxDelay = reconnectMaxDelay
        self.transactionRetries = transactionRetries
    }

    /// The connection string with its password masked; `nil` when libpq cannot parse it.
    public var redactedConninfo: String? { Conninfo(conninfo)?.redacted }

    public var description: String {
        "PostgresConfiguration(conninfo: \(redactedConninfo ?? "<unparsable>"), poolSize: \(poolSize), "
            + "acquireTimeout: \(acquireTimeout), statementTimeout: \(statementTimeout), "
            + "connectTimeout: \(connectTimeout))"
    }
}

extension Duration {
    /// Whole milliseconds, rounded down; what libpq settings and epoll timeouts take.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
