import Crypto
import Foundation
import Postgres

/// What one-off commands work with, opened and closed in one place: a pool of their own
/// and, for commands that change data, the same domain services the server uses, so the
/// CLI follows the services' rules (a changed password ends sessions) instead of its own.
enum CommandServices {
    /// Opens a pool for `body` and shuts it down however `body` ends.
    static func withPool<T>(_ configuration: AppConfiguration,
                            _ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = try PostgresPool(configuration: configuration.postgresConfiguration)
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    /// The domains over a pool of their own, with password hashing on `hasher`'s threads.
    static func withDomains<T>(_ configuration: AppConfiguration, hasher: PasswordHasher,
                               _ body: (Domains) async throws -> T) async throws -> T {
        try await withPool(configuration) { pool in
            let hashing = PasswordHashingPool(hasher: hasher)
            defer { hashing.shutDown() }
            // Commands print their own lines on standard output; warnings go to standard error.
            let logger = Logger(sink: StandardErrorSink(), minimumLevel: .warning)
            return try await body(try Domains(database: Database(pool: pool), configuration: configuration,
                                              hashing: hashing, logger: logger))
        }
    }
}

/// Log lines of a one-off command (each already ends in a newline), on standard error.
struct StandardErrorSink: LogSink {
    func write(line: UnsafeBufferPointer<UInt8>) {
        FileHandle.standardError.write(Data(buffer: line))
    }
}
