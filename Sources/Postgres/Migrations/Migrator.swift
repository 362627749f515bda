import Foundation

/// Where one migration stands in a database.
public struct MigrationStatus: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let applied: Bool
    public let appliedAt: Date?
    /// Applied, but its up file changed since.
    public let checksumMismatch: Bool
    /// Applied, but no file in the directory has this version.
    public let fileMissing: Bool
}

/// Applies and reverts the SQL files of a migrations directory (`NNNN_name.up.sql`, with
/// `NNNN_name.down.sql` to revert), recording each applied one in `schema_migrations`.
///
/// Each migration runs in its own transaction together with its bookkeeping row, so it is
/// either fully applied and recorded or not at all (files must not contain BEGIN/COMMIT).
/// A whole `up` or `down` run holds a session-level advisory lock, so concurrent runs (two
/// instances starting at once) apply each migration exactly once. Before changing anything
/// a run checks that applied versions are a prefix of the files and that no applied file
/// changed (SHA-256).
public struct Migrator: Sendable {
    public let pool: PostgresPool
    public let directory: URL

    /// Any bigint works; it only has to be the same for every run against one database.
    static let lockKey: Int64 = 0x5354_4F52_4546_524E  // "STOREFRN"

    public init(pool: PostgresPool, directory: URL) {
        self.pool = pool
        self.directory = directory
    }

    /// Every known or applied migration, in version order.
    public func status() async throws -> [MigrationStatus] {
        let files = try MigrationFiles.load(directory)
        let applied = try await pool.withConnection { try await appliedRows($0) }
        let appliedByVersion = Dictionary(applied.map { ($0.version, $0) }) { first, _ in first }
        let fileVersions = Set(files.map(\.version))
        let known = files.map { file in
            let row = appliedByVersion[file.version]
            return MigrationStatus(version: file.version, name: file.name, applied: row != nil,
                                   appliedAt: row?.appliedAt,
                                   checksumMismatch: row.map { $0.checksum != file.checksum } ?? false,
                                   fileMissing: false)
        }
        let orphans = applied.filter { !fileVersions.contains($0.version) }.map {
            MigrationStatus(version: $0.version, name: $0.name, applied: true, appliedAt: $0.appliedAt,
                            checksumMismatch: false, fileMissing: true)
        }
        return (known + orphans).sorted { $0.version < $1.version }
    }

    /// How many migrations are not applied yet; throws when the applied ones do not match
    /// the files (edited, unknown or out of order), which `/ready` reports as a failure.
    public func pendingCount() async throws -> Int {
        try await pendingCount(of: try knownMigrations())
    }

    /// The migration files, read and hashed now. A caller asking often (`/ready`) reads
    /// them once and passes them to `pendingCount(of:)`.
    public func knownMigrations() throws -> [Migration] {
        try MigrationFiles.load(directory)
    }

    /// `pendingCount()` against files read earlier: one query, no file access.
    public func pendingCount(of files: [Migration]) async throws -> Int {
        let applied = try await pool.withConnection { try await appliedRows($0) }
        return try Self.pending(files: files, applied: applied).count
    }

    /// Applies pending migrations in order, up to and including version `target` (all when
    /// `nil`). Returns the ones applied by this call.
    @discardableResult
    public func up(to target: Int? = nil) async throws -> [Migration] {
        let files = try MigrationFiles.load(directory)
        return try await locked { connection in
            _ = try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """)
            // Read only now, under the lock: a concurrent run may just have applied some.
            let pending = try Self.pending(files: files, applied: try await appliedRows(connection))
            var done: [Migration] = []
            for migration in pending where target.map({ migration.version <= $0 }) ?? true {
                let script = try MigrationFiles.contents(of: migration.upFile)
                try await inTransaction(migration.fileName, connection) { transaction in
                    try await transaction.executeScript(script)
                    _ = try await transaction.query(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        migration.version, migration.name, migration.checksum)
                }
                done.append(migration)
            }
            return done
        }
    }

    /// Reverts the last `steps` applied migrations, newest first. Refuses before reverting
    /// anything when one of them has no down file. Returns the ones reverted.
    @discardableResult
    public func down(steps: Int = 1) async throws -> [Migration] {
        let files = try MigrationFiles.load(directory)
        return try await locked { connection in
            let applied = try await appliedRows(connection)
            _ = try Self.pending(files: files, applied: applied)
            let byVersion = Dictionary(uniqueKeysWithValues: files.map { ($0.version, $0) })
            let targets = applied.suffix(max(steps, 0)).reversed().compactMap { byVersion[$0.version] }
            var scripts: [String] = []
            for migration in targets {
                guard let downFile = migration.downFile else {
                    let expected = migration.fileName.replacingOccurrences(of: ".up.sql", with: ".down.sql")
                    throw MigrationError.missingDownFile(version: migration.version, expectedFile: expected)
                }
                scripts.append(try MigrationFiles.contents(of: downFile))
            }
            for (migration, script) in zip(targets, scripts) {
                try await inTransaction(migration.downFile?.lastPathComponent ?? migration.fileName, connection) {
                    try await $0.executeScript(script)
                    _ = try await $0.query("DELETE FROM schema_migrations WHERE version = $1", migration.version)
                }
            }
            return Array(targets)
        }
    }

    // MARK: Internals

    struct AppliedRow {
        let version: Int
        let name: String
        let checksum: String
        let appliedAt: Date
    }

    /// The files not applied yet, after checking the applied rows against the files.
    static func pending(files: [Migration], applied: [AppliedRow]) throws -> [Migration] {
        let byVersion = Dictionary(uniqueKeysWithValues: files.map { ($0.version, $0) })
        for row in applied {
            guard let file = byVersion[row.version] else {
                throw MigrationError.unknownAppliedVersion(row.version, name: row.name)
            }
            guard file.checksum == row.checksum else { throw MigrationError.checksumMismatch(file: file.fileName) }
        }
        let appliedVersions = Set(applied.map(\.version))
        for file in files.prefix(applied.count) where !appliedVersions.contains(file.version) {
            throw MigrationError.notAppliedInOrder(file: file.fileName)
        }
        return Array(files.dropFirst(applied.count))
    }

    private func appliedRows(_ connection: PostgresConnection) async throws -> [AppliedRow] {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        guard try exists.rows.first?.decode("present", as: Bool.self) == true else { return [] }
        return try await connection.query(
            "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"
        ).rows.map {
            AppliedRow(version: try $0.decode("version"), name: try $0.decode("name"),
                       checksum: try $0.decode("checksum"), appliedAt: try $0.decode("applied_at"))
        }
    }

    private func inTransaction(_ file: String, _ connection: PostgresConnection,
                               _ body: (PostgresConnection) async throws -> Void) async throws {
        do {
            try await connection.transaction(.readCommitted, body)
        } catch let error as PostgresError {
            throw MigrationError.failed(file: file, error: error)
        }
    }

    /// Runs `body` holding the migrations lock, with no statement timeout: waiting for
    /// another run and building a large index may both take long. The connection's usual
    /// timeout is restored before it goes back to the pool.
    private func locked<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await pool.withConnection { connection in
            _ = try await connection.query("SELECT set_config('statement_timeout', '0', false)")
            _ = try await connection.query("SELECT pg_advisory_lock($1)", [Self.lockKey], timeout: nil)
            do {
                let value = try await body(connection)
                try await unlock(connection)
                return value
            } catch {
                try? await unlock(connection)
                throw error
            }
        }
    }

    private func unlock(_ connection: PostgresConnection) async throws {
        _ = try await connection.query("SELECT pg_advisory_unlock($1)", Self.lockKey)
        let timeout = String(pool.configuration.statementTimeout.milliseconds)
        _ = try await connection.query("SELECT set_config('statement_timeout', $1, false)", timeout)
    }
}
