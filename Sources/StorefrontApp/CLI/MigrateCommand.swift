import Crypto
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
        if case .migrateUp = command { try await sealLegacySecrets(configuration: configuration) }
    }

    /// Migration 0010's second half: SQL cannot seal without the key, so this seals what
    /// it left in the clear (ADR 0006). Not with a random key, which dies with this process:
    /// `serve` (or the next use of each secret) seals them then.
    static func sealLegacySecrets(configuration: AppConfiguration) async throws {
        guard !configuration.dataEncryptionKey.wasGenerated else { return }
        let sealed = try await CommandServices.withDomains(configuration, hasher: PasswordHasher()) { domains in
            try await domains.totp.service.sealLegacySecrets()
        }
        if sealed > 0 { print("sealed \(sealed) legacy TOTP secret(s)") }
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
