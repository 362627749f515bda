import Crypto
import Postgres
import Testing
import TestSupport
@testable import StorefrontApp

@Suite struct SeedTests {
    @Test func seedCreatesTheDemoAccountsOnceAndTheirPasswordVerifies() async throws {
        let hasher = try PasswordHasher(parameters: Scrypt.Parameters(logN: 4, r: 8, p: 1))
        try await TestDatabase.with { database in
            var configuration = try AppConfiguration.fromEnvironment([:], cores: 1)
            configuration.databaseURL = database.conninfo
            let first = try await SeedCommand.run(configuration: configuration, hasher: hasher)
            #expect(first == ["seed: created admin admin@storefront.test", "seed: created customer customer@storefront.test"])
            let second = try await SeedCommand.run(configuration: configuration, hasher: hasher)
            #expect(second == ["seed: admin@storefront.test already exists", "seed: customer@storefront.test already exists"])
            let rows = try await database.pool.query("SELECT email, role, password_hash FROM users ORDER BY email").rows
            #expect(try rows.map { try $0.decode("role", as: String.self) } == ["admin", "customer"])
            let hash: String = try rows[0].decode("password_hash")
            #expect(try hasher.verify(SeedCommand.demoPassword, against: hash))
        }
    }

    @Test func seedIsRefusedInProduction() async throws {
        let configuration = try AppConfiguration.fromEnvironment(
            ["APP_ENV": "production", "JWT_SECRET": String(repeating: "s", count: 32), "DATABASE_URL": "host=127.0.0.1 port=1"],
            cores: 1)
        await #expect(throws: UsageError.self) { _ = try await SeedCommand.run(configuration: configuration) }
    }
}
