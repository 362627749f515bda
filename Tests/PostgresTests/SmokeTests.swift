import Foundation
import Postgres
import Testing

@Test func smoke() async throws {
    let pool = try PostgresPool(configuration: .init(conninfo: ProcessInfo.processInfo.environment["STOREFRONT_TEST_DATABASE_URL"] ?? ""))
    let result = try await pool.query("SELECT $1::int + 1 AS n, 'x' AS s", 41)
    #expect(try result.rows[0].decode("n", as: Int.self) == 42)
    let again = try await pool.query("SELECT $1::int + 1 AS n, 'x' AS s", 1)
    #expect(try again.rows[0].decode("n", as: Int.self) == 2)
    try await pool.ping()
    print(pool.statistics)
    await pool.shutdown()
}
