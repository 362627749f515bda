import Foundation

/// Where the test databases come from, read once from the environment.
public enum TestEnvironment {
    /// A superuser connection string to a throwaway cluster, exported by `scripts/test`.
    public static let databaseURLVariable = "STOREFRONT_TEST_DATABASE_URL"

    /// The root of the repository, found from this file's path so tests run from anywhere.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The project's migrations, applied to every test database.
    public static let migrationsDirectory = repositoryRoot.appendingPathComponent("migrations")

    /// PostgreSQL's server and client programs (initdb, pg_ctl, pg_dump).
    public static let binDirectory = ProcessInfo.processInfo.environment["STOREFRONT_TEST_PG_BIN"]
        ?? "/usr/lib/postgresql/15/bin"

    /// The connection string, or an error that fails the test with instructions: a test
    /// that needs the database must fail, not pass silently, when there is none.
    public static func databaseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment[databaseURLVariable], !url.isEmpty else {
            throw TestSupportError.missingDatabaseURL
        }
        return url
    }
}

/// Failures of the test scaffolding itself (as opposed to the code under test).
public enum TestSupportError: Error, CustomStringConvertible {
    case missingDatabaseURL
    case commandFailed(command: String, status: Int32, output: String)

    public var description: String {
        switch self {
        case .missingDatabaseURL:
            "\(TestEnvironment.databaseURLVariable) is not set. Database tests need a PostgreSQL superuser "
                + "connection string to a throwaway cluster: run scripts/test, or start one and export e.g. "
                + "\(TestEnvironment.databaseURLVariable)=\"host=127.0.0.1 port=54329 user=postgres dbname=postgres\""
        case .commandFailed(let command, let status, let output):
            "\(command) exited with status \(status):\n\(output)"
        }
    }
}
