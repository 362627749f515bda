import Foundation

extension Migrator {
    /// Writes the next-numbered pair `NNNN_name.up.sql` / `NNNN_name.down.sql` into
    /// `directory` (created if missing) and returns the new migration.
    @discardableResult
    public static func create(name: String, in directory: URL) throws -> Migration {
        guard name.wholeMatch(of: #/[a-z0-9_]{1,100}/#) != nil else { throw MigrationError.invalidName(name) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw MigrationError.fileAccess(directory.path)
        }
        let version = (try MigrationFiles.load(directory).last?.version ?? 0) + 1
        guard version <= 9999 else { throw MigrationError.invalidFileName("version \(version) has more than 4 digits") }
        let digits = String(version)
        let base = String(repeating: "0", count: 4 - digits.count) + digits + "_" + name
        let up = directory.appendingPathComponent(base + ".up.sql")
        let down = directory.appendingPathComponent(base + ".down.sql")
        let upText = """
            -- \(base): describe the change. It runs in one transaction with its bookkeeping row,
            -- so no BEGIN/COMMIT here. Never edit it once applied anywhere: add a new migration.

            """
        let downText = "-- Reverts \(base).up.sql.\n"
        do {
            try Data(upText.utf8).write(to: up, options: .withoutOverwriting)
            try Data(downText.utf8).write(to: down, options: .withoutOverwriting)
        } catch {
            throw MigrationError.fileAccess(up.path)
        }
        guard let migration = try MigrationFiles.load(directory).first(where: { $0.version == version }) else {
            throw MigrationError.fileAccess(up.path)
        }
        return migration
    }
}
