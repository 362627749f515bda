import Postgres

/// Where a repository runs a statement. Every repository method takes one, always as its
/// last argument `on db:`, and never picks one itself: the service decides whether the
/// statement runs on its own or commits together with others (`Database`).
protocol DatabaseSession: Sendable {
    func query(_ sql: SQL, _ binds: [any PostgresEncodable]) async throws -> PostgresQueryResult
}

/// The session of an open transaction. Repository methods that lock rows take this type
/// rather than any session, so a lock cannot be taken where it would be released at once.
struct Transaction: DatabaseSession {
    let connection: PostgresConnection
    var observer: StatementObserver?

    func query(_ sql: SQL, _ binds: [any PostgresEncodable]) async throws -> PostgresQueryResult {
        observer?.saw(sql)
        return try await connection.query(sql, binds)
    }
}

/// Sees each statement a `Database` runs. Every statement of a service passes a session
/// its `Database` handed out (repositories hold no pool), so counting here counts them all.
/// Public so tests can count the statements of whole HTTP requests (`Application`).
public final class StatementObserver: Sendable {
    private let onStatement: @Sendable (SQL) -> Void

    public init(_ onStatement: @escaping @Sendable (SQL) -> Void) { self.onStatement = onStatement }

    func saw(_ sql: SQL) { onStatement(sql) }
}

/// The pool's autocommit session with an observer in front.
struct ObservedSession: DatabaseSession {
    let base: PostgresPool
    let observer: StatementObserver

    func query(_ sql: SQL, _ binds: [any PostgresEncodable]) async throws -> PostgresQueryResult {
        observer.saw(sql)
        return try await base.query(sql, binds)
    }
}

extension PostgresPool: DatabaseSession {}

extension PostgresError {
    /// SQLSTATE 23505 on the named unique constraint or index.
    func isUniqueViolation(of constraint: String) -> Bool {
        if case .server("23505", _, let name, _) = self { return name == constraint }
        return false
    }
}

/// A statement that always returns a row (`INSERT ... RETURNING`) returned none: the
/// server's fault (a trigger, a bug), never the client's, so it is a 500 and not a 404.
struct MissingRowError: Error, CustomStringConvertible {
    let statement: String
    var description: String { "\(statement) returned no row" }
}
