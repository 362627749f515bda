import Postgres

/// Where a repository runs a statement: the pool (any free connection) or the connection
/// of a transaction a service opened. Repositories take one, so the same method serves both.
protocol DatabaseSession: Sendable {
    func query(_ sql: SQL, _ binds: [any PostgresEncodable]) async throws -> PostgresQueryResult
}

extension PostgresPool: DatabaseSession {}
extension PostgresConnection: DatabaseSession {}

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
