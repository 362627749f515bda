import Foundation
import Postgres

extension AppConfiguration {
    /// What `scripts/run` starts when `DATABASE_URL` is not set.
    public static let developmentDatabaseURL = "postgres://postgres@127.0.0.1:54320/storefront"

    /// The pool settings from `DATABASE_URL` and the `DB_*` variables.
    public var postgresConfiguration: PostgresConfiguration {
        PostgresConfiguration(conninfo: databaseURL ?? AppConfiguration.developmentDatabaseURL,
                              poolSize: dbPoolSize,
                              acquireTimeout: .milliseconds(dbPoolTimeoutMs),
                              statementTimeout: .milliseconds(dbStatementTimeoutMs))
    }
}

extension AppConfiguration {
    public func migrator(pool: PostgresPool) -> Migrator {
        Migrator(pool: pool, directory: URL(fileURLWithPath: migrationsDirectory))
    }
}

/// `/ready`'s database check: one round trip within a short deadline.
struct DatabaseReadiness: ReadinessCheck {
    let pool: PostgresPool
    let name = "database"

    func problem() async -> String? {
        do {
            try await pool.ping(timeout: .seconds(1))
            return nil
        } catch {
            return "unreachable"
        }
    }
}

extension PostgresError {
    /// A value the database refused that validation should have refused first: a check
    /// (23514) or not-null (23502) violation, or text with a NUL. The client sent it, so it
    /// is a 422, not a 500; the gap in validation is still logged.
    var isRefusedValue: Bool {
        switch self {
        case .server(let state, _, _, _): state == "23514" || state == "23502"
        case .invalidParameter: true
        default: false
        }
    }

    /// Failures that mean "the database cannot serve right now" (503 with Retry-After),
    /// as opposed to a bug in a query (500).
    var isUnavailability: Bool {
        switch self {
        case .poolTimeout, .connectionFailed, .timeout, .closed: true
        case .server(let state, _, _, _):
            // 57P01-03: admin shutdown, crash shutdown, cannot connect now; 53300: too many
            // connections; 08xxx: connection exceptions; 57014: the statement timeout
            // cancelled it (a lock or a load that outlived DB_STATEMENT_TIMEOUT_MS; the same
            // request may well succeed later, so a 503 and not a 500).
            state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300" || state == "57014"
        default: false
        }
    }
}

/// `/ready`'s migrations check: every migration file is applied. The files are read and
/// hashed once, when the server starts: they are what this binary was deployed with, and
/// reading them on every probe cost file I/O and hashing on an event loop.
struct MigrationReadiness: ReadinessCheck {
    let migrator: Migrator
    /// nil when the directory could not be read at start-up: "unknown" until a restart.
    private let files: [Migration]?
    let name = "migrations"

    init(migrator: Migrator) {
        self.migrator = migrator
        files = try? migrator.knownMigrations()
    }

    func problem() async -> String? {
        guard let files else { return "unknown" }
        do {
            let pending = try await migrator.pendingCount(of: files)
            return pending == 0 ? nil : "\(pending) pending"
        } catch {
            return "unknown"
        }
    }
}
