import Foundation
import Postgres

/// `storefront migrate up|down|status|create`: prints what it did, one line per migration.
public enum MigrateCommand {
    public static func run(_ command: Command, configuration: AppConfiguration) async throws {
        let directory = URL(fileURLWithPath: configuration.migrationsDirectory)
        if case .migrateCreate(let name) = command {
            let migration = try Migrator.create(name: name, in: directory)
            print("created \(migration.upFile.path)" + (migration.downFile.map { " and \($0.path)" } ?? ""))
            return
        }
        try await CommandServices.withPool(configuration) { pool in
            try await perform(command, migrator: Migrator(pool: pool, directory: directory))
        }
    }

    private static func perform(_ command: Command, migrator: Migrator) async throws {
        switch command {
        case .migrateUp(let target):
            let applied = try await migrator.up(to: target)
            if applied.isEmpty { print("nothing to apply") }
            for migration in applied { print("applied \(String(format: "%04d_%@", migration.version, migration.name))") }
        case .migrateDown(let steps):
            let reverted = try await migrator.down(steps: steps)
            if reverted.isEmpty { print("nothing to revert") }
            for migration in reverted { print("reverted \(String(format: "%04d_%@", migration.version, migration.name))") }
        case .migrateStatus:
            print(statusTable(try await migrator.status()))
        default:
            break
        }
    }

    static func statusTable(_ rows: [MigrationStatus]) -> String {
        var lines = ["version  name                            state      applied at"]
        for row in rows {
            let state = row.fileMissing ? "NO FILE" : row.checksumMismatch ? "EDITED" : row.applied ? "applied" : "pending"
            let when = row.appliedAt.map(Timestamp.rfc3339) ?? "-"
            lines.append(pad(String(format: "%04d", row.version), 9) + pad(row.name, 32) + pad(state, 11) + when)
        }
        if rows.isEmpty { lines.append("(no migrations)") }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
