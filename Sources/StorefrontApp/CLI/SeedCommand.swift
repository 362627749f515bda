import Crypto
import Foundation
import Postgres

/// `storefront seed`: demo accounts for local development, created once (running it again
/// changes nothing). Demo products arrive with the catalogue. Refused in production: the
/// demo password is public.
public enum SeedCommand {
    public static let demoPassword = "storefront-demo-password"
    static let accounts: [(email: String, name: String, role: Role)] = [
        ("admin@storefront.test", "Demo Admin", .admin),
        ("customer@storefront.test", "Demo Customer", .customer),
    ]

    /// Returns the lines to print, one per account.
    public static func run(configuration: AppConfiguration,
                           hasher: PasswordHasher = PasswordHasher()) async throws -> [String] {
        guard configuration.appEnv != .production else {
            throw UsageError("seed: refused with APP_ENV=production (the demo password is public)")
        }
        let pool = try PostgresPool(configuration: configuration.postgresConfiguration)
        do {
            let lines = try await seed(pool: pool, hasher: hasher)
            await pool.shutdown()
            return lines
        } catch {
            await pool.shutdown()
            throw error
        }
    }

    static func seed(pool: PostgresPool, hasher: PasswordHasher) async throws -> [String] {
        let users = UserRepository(pool: pool)
        var lines: [String] = []
        for account in accounts {
            guard let email = Email(account.email), let name = PersonName(account.name) else { continue }
            do {
                let hash = try hasher.hash(demoPassword)
                _ = try await pool.withTransaction { connection in
                    try await users.insert(email: email, name: name, passwordHash: hash, role: account.role, on: connection)
                }
                lines.append("seed: created \(account.role.rawValue) \(account.email)")
            } catch IdentityError.emailTaken {
                lines.append("seed: \(account.email) already exists")
            }
        }
        return lines
    }
}
