/// Everything the Postgres module throws, so callers map failures with one `switch`
/// (the app turns `.poolTimeout`, `.connectionFailed`, `.timeout` and `.closed` into 503).
///
/// No message ever contains the password of the connection string: libpq's messages are
/// scrubbed before they are wrapped here. No description contains a server error's detail:
/// for constraint violations it quotes the row ("Failing row contains (...)"), secrets and
/// all, and descriptions end up in logs.
public enum PostgresError: Error, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// No connection became free within the pool's `acquireTimeout`.
    case poolTimeout
    /// The server could not be reached, refused the connection, or the connection broke.
    case connectionFailed(String)
    /// The server answered with an error (`sqlState` is the five-character SQLSTATE). `detail`
    /// is for code to inspect, never to print; check and not-null violations carry none.
    case server(sqlState: String, message: String, constraint: String?, detail: String?)
    /// A column's value could not be read as the requested Swift type.
    case decoding(column: String, expected: String, actual: String)
    /// A row has no column of that name, or no column at that index.
    case unknownColumn(String)
    /// A bound value cannot be sent (PostgreSQL text cannot contain NUL characters).
    case invalidParameter(index: Int, reason: String)
    /// A statement or ping took longer than its client-side deadline; the connection that ran
    /// it was closed, since its answer can no longer be trusted to arrive.
    case timeout
    /// The pool was shut down, or a connection was used after it went back to the pool.
    case closed

    /// SQLSTATE 40001 (serialization_failure) and 40P01 (deadlock_detected): retrying the
    /// whole transaction is the documented remedy.
    public var isTransientTransactionFailure: Bool {
        if case .server(let state, _, _, _) = self { return state == "40001" || state == "40P01" }
        return false
    }

    public var description: String {
        switch self {
        case .poolTimeout: "timed out waiting for a database connection"
        case .connectionFailed(let message): "database connection failed: \(message)"
        case .server(let state, let message, let constraint, _):
            "database error \(state): \(message)" + (constraint.map { " (constraint \($0))" } ?? "")
        case .decoding(let column, let expected, let actual):
            "column \"\(column)\" of type \(actual) cannot be decoded as \(expected)"
        case .unknownColumn(let column): "no column \"\(column)\" in the result"
        case .invalidParameter(let index, let reason): "parameter $\(index): \(reason)"
        case .timeout: "database operation timed out"
        case .closed: "database pool is closed"
        }
    }

    /// The same as `description`: `String(reflecting:)` and nested printing (an error inside
    /// another's fields) would otherwise print the detail.
    public var debugDescription: String { description }
}
