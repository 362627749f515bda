import Foundation
import Postgres
import Testing
import TestSupport

/// The migrator against temporary migration directories, each on an empty database.
@Suite struct MigrationTests {
    /// A directory of migrations written for one test, removed when it ends.
    struct Directory {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("migrations-\(UUID().uuidString)")

        init(_ files: [String: String]) throws {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for (name, text) in files { try write(name, text) }
        }

        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: url.appendingPathComponent(name))
        }

        func remove(_ name: String) throws {
            try FileManager.default.removeItem(at: url.appendingPathComponent(name))
        }

        func delete() { try? FileManager.default.removeItem(at: url) }
    }

    static let threeSteps = [
        "0001_accounts.up.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);",
        "0001_accounts.down.sql": "DROP TABLE accounts;",
        "0002_account_name.up.sql": """
            ALTER TABLE accounts ADD COLUMN name text;
            UPDATE accounts SET name = email;
            CREATE INDEX accounts_name_idx ON accounts (name);
            """,
        "0002_account_name.down.sql": "DROP INDEX accounts_name_idx; ALTER TABLE accounts DROP COLUMN name;",
        "0003_audit.up.sql": """
            CREATE TABLE audit (at timestamptz NOT NULL DEFAULT now(), what text);
            CREATE FUNCTION audit_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM audit $$;
            """,
        "0003_audit.down.sql": "DROP FUNCTION audit_count(); DROP TABLE audit;",
    ]

    private func withMigrator(_ files: [String: String],
                              _ body: (Migrator, Directory, TestDatabase) async throws -> Void) async throws {
        let directory = try Directory(files)
        defer { directory.delete() }
        try await TestDatabase.with(migrated: false) { database in
            try await body(Migrator(pool: database.pool, directory: directory.url), directory, database)
        }
    }

    @Test func upThenDownToZeroThenUpAgainGivesTheSameSchema() async throws {
        try await withMigrator(Self.threeSteps) { migrator, _, database in
            #expect(try await migrator.pendingCount() == 3)
            #expect(try await migrator.up().map(\.version) == [1, 2, 3])
            #expect(try await migrator.pendingCount() == 0)
            let first = try await Command.schemaDump(conninfo: database.conninfo)
            #expect(first.contains("CREATE TABLE public.audit"))

            #expect(try await migrator.down(steps: 3).map(\.version) == [3, 2, 1])
            let empty = try await Command.schemaDump(conninfo: database.conninfo)
            #expect(!empty.contains("accounts") && !empty.contains("audit"))

            #expect(try await migrator.up().map(\.version) == [1, 2, 3])
            #expect(try await Command.schemaDump(conninfo: database.conninfo) == first)
        }
    }

    @Test func upToAVersionStopsThereAndStatusReportsEachMigration() async throws {
        try await withMigrator(Self.threeSteps) { migrator, _, _ in
            #expect(try await migrator.up(to: 2).map(\.version) == [1, 2])
            let status = try await migrator.status()
            #expect(status.map(\.version) == [1, 2, 3])
            #expect(status.map(\.applied) == [true, true, false])
            #expect(status[0].name == "accounts" && status[0].appliedAt != nil && status[2].appliedAt == nil)
            #expect(!status.contains { $0.checksumMismatch || $0.fileMissing })
            #expect(try await migrator.pendingCount() == 1)
            #expect(try await migrator.up(to: 2).isEmpty)
        }
    }

    /// Both runs start while a third session holds the migrations lock, so they are certainly
    /// concurrent; the lock then lets one apply everything and the other find nothing to do.
    @Test func twoConcurrentUpRunsApplyEachMigrationOnce() async throws {
        var files = Self.threeSteps
        files["0004_count_runs.up.sql"] = """
            CREATE TABLE IF NOT EXISTS runs (n int);
            INSERT INTO runs VALUES (1);
            """
        try await withMigrator(files) { _, directory, database in
            let first = try PostgresPool(configuration: database.configuration())
            let second = try PostgresPool(configuration: database.configuration())
            try await database.pool.withConnection { holder in
                _ = try await holder.query("SELECT pg_advisory_lock($1)", Int64(0x5354_4F52_4546_524E))
                async let a = Migrator(pool: first, directory: directory.url).up()
                async let b = Migrator(pool: second, directory: directory.url).up()
                let bothWaiting = await eventually(within: .seconds(120)) {
                    let waiting = try? await holder.query(
                        "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                    return (try? waiting?.rows[0].decode("n", as: Int.self)) == 2
                }
                #expect(bothWaiting)
                _ = try await holder.query("SELECT pg_advisory_unlock($1)", Int64(0x5354_4F52_4546_524E))
                let applied = try await [a, b].map { $0.map(\.version) }
                #expect(applied.sorted { $0.count < $1.count } == [[], [1, 2, 3, 4]])
            }
            let runs = try await database.pool.query("SELECT count(*) AS n FROM runs").rows[0]
            #expect(try runs.decode("n", as: Int.self) == 1)
            let recorded = try await database.pool.query("SELECT count(*) AS n FROM schema_migrations").rows[0]
            #expect(try recorded.decode("n", as: Int.self) == 4)
            await first.shutdown()
            await second.shutdown()
        }
    }

    @Test func anEditedAppliedMigrationIsReportedByFileName() async throws {
        try await withMigrator(Self.threeSteps) { migrator, directory, _ in
            try await migrator.up(to: 2)
            try directory.write("0002_account_name.up.sql", "ALTER TABLE accounts ADD COLUMN name varchar(50);")
            let expected = MigrationError.checksumMismatch(file: "0002_account_name.up.sql")
            await #expect(throws: expected) { try await migrator.up() }
            await #expect(throws: expected) { try await migrator.pendingCount() }
            await #expect(throws: expected) { try await migrator.down() }
            #expect(try await migrator.status().map(\.checksumMismatch) == [false, true, false])
            #expect("\(expected)".contains("0002_account_name.up.sql"))
        }
    }

    @Test func aMissingDownFileIsRefusedBeforeAnythingIsReverted() async throws {
        var files = Self.threeSteps
        files["0002_account_name.down.sql"] = nil
        try await withMigrator(files) { migrator, _, _ in
            try await migrator.up()
            let expected = MigrationError.missingDownFile(version: 2, expectedFile: "0002_account_name.down.sql")
            await #expect(throws: expected) { try await migrator.down(steps: 2) }
            #expect(try await migrator.status().map(\.applied) == [true, true, true])  // 0003 not reverted either
            #expect(try await migrator.down(steps: 1).map(\.version) == [3])
            #expect("\(expected)".contains("0002_account_name.down.sql does not exist"))
        }
    }

    @Test func appliedVersionsMustBeAPrefixOfTheFiles() async throws {
        try await withMigrator(Self.threeSteps) { migrator, directory, _ in
            try await migrator.up()
            try directory.remove("0003_audit.up.sql")
            try directory.remove("0003_audit.down.sql")
            await #expect(throws: MigrationError.unknownAppliedVersion(3, name: "audit")) { try await migrator.up() }
            #expect(try await migrator.status().last?.fileMissing == true)

            for file in ["0003_audit.up.sql", "0003_audit.down.sql"] {
                try directory.write(file, Self.threeSteps[file] ?? "")
            }
            try await migrator.down(steps: 2)  // 0003, 0002
            try directory.write("0000_first.up.sql", "SELECT 1;")  // a file that sorts before an applied one
            await #expect(throws: MigrationError.notAppliedInOrder(file: "0000_first.up.sql")) { try await migrator.up() }
        }
    }

    @Test func aFailingMigrationRollsBackAndIsNotRecorded() async throws {
        var files = Self.threeSteps
        files["0002_account_name.up.sql"] = "ALTER TABLE accounts ADD COLUMN name text; SELECT no_such_function();"
        try await withMigrator(files) { migrator, _, database in
            await #expect {
                try await migrator.up()
            } throws: { error in
                guard case .failed(let file, .server(let state, _, _, _)) = error as? MigrationError else { return false }
                return file == "0002_account_name.up.sql" && state == "42883"
            }
            #expect(try await migrator.status().map(\.applied) == [true, false, false])
            let column = try await database.pool.query(
                "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'name'")
            #expect(try column.rows[0].decode("n", as: Int.self) == 0)
        }
    }

    @Test func createWritesTheNextNumberedPair() async throws {
        let directory = try Directory(Self.threeSteps)
        defer { directory.delete() }
        let created = try Migrator.create(name: "add_orders", in: directory.url)
        #expect(created.version == 4 && created.name == "add_orders")
        #expect(created.upFile.lastPathComponent == "0004_add_orders.up.sql")
        #expect(created.downFile?.lastPathComponent == "0004_add_orders.down.sql")
        #expect(throws: MigrationError.invalidName("Add Orders")) { try Migrator.create(name: "Add Orders", in: directory.url) }
        let fresh = directory.url.appendingPathComponent("nested")
        #expect(try Migrator.create(name: "first", in: fresh).upFile.lastPathComponent == "0001_first.up.sql")
    }

    @Test func theProjectMigrationsAreAppliedToTestDatabases() async throws {
        try await TestDatabase.with { database in
            let migrator = Migrator(pool: database.pool, directory: TestEnvironment.migrationsDirectory)
            #expect(try await migrator.pendingCount() == 0)
            _ = try await database.pool.query("INSERT INTO app_meta (key, value) VALUES ($1, $2)", "schema", "ok")
        }
    }
}
