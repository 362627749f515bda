import Foundation
@_spi(Testing) import Postgres
import Synchronization

/// A fresh, migrated database for one test, with a pool connected to it.
///
/// ```swift
/// try await TestDatabase.with { database in
///     _ = try await database.pool.query("SELECT 1")
/// }
/// ```
///
/// Databases are copied (`CREATE DATABASE ... TEMPLATE`) from a template that this process
/// migrates once with the project's `migrations/`, which is much faster than migrating each.
public struct TestDatabase: Sendable {
    public let name: String
    /// A key=value connection string for this database.
    public let conninfo: String
    public let pool: PostgresPool

    /// Creates the database and a pool of `poolSize` connections to it: migrated with the
    /// project's migrations, or empty when `migrated` is false (tests of the migrator itself).
    /// Fails with a clear message when `STOREFRONT_TEST_DATABASE_URL` is not set.
    public static func create(migrated: Bool = true,
                              poolSize: Int = 4,
                              acquireTimeout: Duration = TestDatabase.acquireTimeout,
                              statementTimeout: Duration = .seconds(30)) async throws -> TestDatabase {
        let template = try await Template.shared.value
        let name = "storefront_test_\(getpid())_\(counter.add(1, ordering: .relaxed).newValue)"
        try await template.admin.createDatabase(name, template: migrated ? template.name : nil)
        let conninfo = try PostgresPool.conninfo(template.baseConninfo, database: name)
        let pool = try PostgresPool(configuration: .init(conninfo: conninfo, poolSize: poolSize,
                                                         acquireTimeout: acquireTimeout,
                                                         statementTimeout: statementTimeout))
        return TestDatabase(name: name, conninfo: conninfo, pool: pool)
    }

    /// Runs `body` with a fresh database and drops it afterwards, also when `body` throws.
    public static func with(migrated: Bool = true, poolSize: Int = 4,
                            acquireTimeout: Duration = TestDatabase.acquireTimeout,
                            isolation: isolated (any Actor)? = #isolation,
                            _ body: (TestDatabase) async throws -> Void) async throws {
        let database = try await create(migrated: migrated, poolSize: poolSize, acquireTimeout: acquireTimeout)
        do {
            try await body(database)
        } catch {
            try? await database.drop()
            throw error
        }
        try await database.drop()
    }

    /// A configuration for a further pool on this database (tests of pool behaviour).
    /// With the same wait for a connection as the fixture's own pool.
    public func configuration() -> PostgresConfiguration {
        var configuration = PostgresConfiguration(conninfo: conninfo)
        configuration.acquireTimeout = TestDatabase.acquireTimeout
        return configuration
    }

    /// How long the test pools wait for a connection: a bound for a stuck pool, not a timing.
    /// In a fresh-clone CI run every test's connections waited about 10 s at once, with a
    /// hundred suites on two cores. Tests of the timeout itself pass their own.
    public static let acquireTimeout: Duration = .seconds(60)

    /// Shuts the pool down and drops the database, disconnecting anyone still on it.
    public func drop() async throws {
        await pool.shutdown()
        try await Template.shared.value.admin.dropDatabase(name)
    }

    private static let counter = Atomic<Int>(0)
}

/// The per-process template database and the maintenance pool that copies and drops.
private struct Template: Sendable {
    let admin: PostgresPool
    let name: String
    let baseConninfo: String

    /// Made on first use; if it fails (no database URL, a migration error), every test that
    /// needs a database fails with that error.
    static let shared = Task<Template, any Error> {
        let url = try TestEnvironment.databaseURL()
        // Every test's database is copied through these four connections. On a loaded
        // machine a full run queues a hundred copies behind each other for more than a
        // minute; a test that waits its turn is slow, not failed.
        let admin = try PostgresPool(configuration: .init(conninfo: url, poolSize: 4, acquireTimeout: .seconds(600),
                                                          statementTimeout: .seconds(60)))
        // Lives until the process exits, its connections too: see `LeakSanitizer`. Queued
        // before the first statement, so it runs before the reactor allocates for this pool.
        _ = admin.onReactorThread { LeakSanitizer.ignoreAllocationsOnThisThread() }
        try await dropAbandonedDatabases(admin)
        let name = "storefront_template_\(getpid())"
        try await admin.createDatabase(name)
        // Patient too: on a loaded machine a first connection can take longer than the
        // default wait, and every test of the run would fail with it.
        let pool = try PostgresPool(configuration: .init(conninfo: try PostgresPool.conninfo(url, database: name),
                                                         poolSize: 1, acquireTimeout: .seconds(60)))
        do {
            try await Migrator(pool: pool, directory: TestEnvironment.migrationsDirectory).up()
        } catch {
            await pool.shutdown()
            throw error
        }
        // Copying needs the template to have no sessions.
        await pool.shutdown()
        return Template(admin: admin, name: name, baseConninfo: url)
    }

    /// Templates and test databases of test processes that are gone (crashed, killed, or
    /// simply ended: a process cannot drop its template on exit). The pid in each name says
    /// whose it is; the cluster is a throwaway one used from this machine, so a pid that is
    /// not running here belongs to nobody. An earlier process with our own pid counts too.
    private static func dropAbandonedDatabases(_ admin: PostgresPool) async throws {
        let names = try await admin.query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'storefront\\_template\\_%' OR datname LIKE 'storefront\\_test\\_%'"
        ).rows.map { try $0.decode("datname", as: String.self) }
        for name in names {
            guard let pid = name.split(separator: "_").dropFirst(2).first.flatMap({ Int32($0) }) else { continue }
            if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) {
                try await admin.dropDatabase(name)
            }
        }
    }
}
