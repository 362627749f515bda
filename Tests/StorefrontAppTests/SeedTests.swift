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
            #expect(first == ["seed: created admin admin@storefront.test", "seed: created customer customer@storefront.test",
                              "seed: created 300 of 300 demo products"])
            let second = try await SeedCommand.run(configuration: configuration, hasher: hasher)
            #expect(second == ["seed: admin@storefront.test already exists", "seed: customer@storefront.test already exists",
                               "seed: the 300 demo products already exist"])
            let rows = try await database.pool.query("SELECT email, role, password_hash FROM users ORDER BY email").rows
            #expect(try rows.map { try $0.decode("role", as: String.self) } == ["admin", "customer"])
            let hash: String = try rows[0].decode("password_hash")
            #expect(try hasher.verify(SeedCommand.demoPassword, against: hash))
        }
    }

    /// Fixed SKUs: a second run adds nothing, and one deleted demo product is put back.
    @Test func seedCreatesVariedDemoProductsOnce() async throws {
        let hasher = try PasswordHasher(parameters: Scrypt.Parameters(logN: 4, r: 8, p: 1))
        try await TestDatabase.with { database in
            var configuration = try AppConfiguration.fromEnvironment([:], cores: 1)
            configuration.databaseURL = database.conninfo
            _ = try await SeedCommand.run(configuration: configuration, hasher: hasher)
            let stats = try #require(try await database.pool.query("""
                SELECT count(*)::int AS n, count(DISTINCT sku)::int AS skus, count(DISTINCT category)::int AS categories,
                       count(DISTINCT price_cents)::int AS prices, count(*) FILTER (WHERE stock = 0)::int AS sold_out,
                       count(DISTINCT currency)::int AS currencies
                FROM products
                """).rows.first)
            #expect(try stats.decode("n", as: Int.self) == 300 && stats.decode("skus", as: Int.self) == 300)
            #expect(try stats.decode("categories", as: Int.self) == 10 && stats.decode("currencies", as: Int.self) == 2)
            #expect(try stats.decode("prices", as: Int.self) > 10 && stats.decode("prices", as: Int.self) < 300)
            #expect(try stats.decode("sold_out", as: Int.self) > 0)
            _ = try await database.pool.query("UPDATE products SET deleted_at = now() WHERE sku = 'DEMO-0007'")
            let again = try await SeedCommand.run(configuration: configuration, hasher: hasher)
            #expect(again.last == "seed: created 1 of 300 demo products")
            let live = try await database.pool.query("SELECT count(*)::int AS n FROM products WHERE deleted_at IS NULL")
            #expect(try live.rows.first?.decode("n", as: Int.self) == 300)
        }
    }

    @Test func seedIsRefusedInProduction() async throws {
        let configuration = try AppConfiguration.fromEnvironment(
            ["APP_ENV": "production", "JWT_SECRET": String(repeating: "s", count: 32), "DATABASE_URL": "host=127.0.0.1 port=1"],
            cores: 1)
        await #expect(throws: UsageError.self) { _ = try await SeedCommand.run(configuration: configuration) }
    }
}
