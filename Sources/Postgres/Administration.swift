/// Creating and dropping databases, for the test support that gives every test its own
/// database. Behind `@_spi(Testing)`: the application never needs it, and `CREATE DATABASE`
/// takes no bound parameters, so the name has to be spliced into the statement — which is
/// only done after checking it is a plain lowercase identifier.
extension PostgresPool {
    @_spi(Testing)
    public func createDatabase(_ name: String, template: String? = nil) async throws {
        let sql = "CREATE DATABASE " + (try Self.identifier(name))
            + (try template.map { " TEMPLATE " + (try Self.identifier($0)) } ?? "")
        try await runUncached(sql)
    }

    /// Drops the database even when sessions are still connected to it.
    @_spi(Testing)
    public func dropDatabase(_ name: String) async throws {
        try await runUncached("DROP DATABASE IF EXISTS " + (try Self.identifier(name)) + " WITH (FORCE)")
    }

    /// The same connection string pointing at another database (key=value form).
    @_spi(Testing)
    public static func conninfo(_ conninfo: String, database: String) throws -> String {
        guard let info = Conninfo(conninfo) else {
            throw PostgresError.connectionFailed("the connection string cannot be parsed")
        }
        return info.replacingDatabase(with: database)
    }

    /// Not prepared: every statement here names a different database, so caching it per
    /// connection would only fill the cache.
    private func runUncached(_ sql: String) async throws {
        _ = try await run(.unnamed(sql, .none), acquireTimeout: configuration.acquireTimeout, deadline: nil)
    }

    /// `"name"` for names made of lowercase letters, digits and underscores only.
    private static func identifier(_ name: String) throws -> String {
        guard name.wholeMatch(of: #/[a-z_][a-z0-9_]{0,62}/#) != nil else {
            throw PostgresError.invalidParameter(index: 0, reason: "\"\(name)\" is not a plain identifier")
        }
        return "\"" + name + "\""
    }
}
