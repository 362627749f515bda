import Postgres
import Testing

/// The password of a connection string never shows up in messages or descriptions.
@Suite struct SecretTests {
    static let password = "s3cr3t-Pa55"

    @Test(arguments: [
        "postgres://storefront:\(password)@127.0.0.1:1/storefront?connect_timeout=2",
        "postgresql://storefront:s3cr3t%2DPa55@127.0.0.1:1/storefront",
        "host=127.0.0.1 port=1 user=storefront password=\(password) dbname=storefront",
        "host=127.0.0.1 port=1 user=storefront password='\(password)' dbname=storefront",
    ])
    func connectionFailuresAndDescriptionsHideThePassword(conninfo: String) async throws {
        let configuration = PostgresConfiguration(conninfo: conninfo, acquireTimeout: .seconds(5))
        #expect(!configuration.description.contains("s3cr3t"))
        #expect(configuration.redactedConninfo?.contains("password='********'") == true)
        let pool = try PostgresPool(configuration: configuration)
        await #expect {
            try await pool.query("SELECT 1")
        } throws: { error in
            guard case .connectionFailed(let message) = error as? PostgresError else { return false }
            return !message.contains("s3cr3t") && !"\(error)".contains("s3cr3t") && message.contains("127.0.0.1")
        }
        await pool.shutdown()
    }

    @Test func anUnparsableConnectionStringIsNotQuoted() {
        let conninfo = "host=127.0.0.1 password \(Self.password)"
        #expect(PostgresConfiguration(conninfo: conninfo).redactedConninfo == nil)
        #expect(!PostgresConfiguration(conninfo: conninfo).description.contains("s3cr3t"))
        #expect(throws: PostgresError.connectionFailed("the connection string cannot be parsed")) {
            try PostgresPool(configuration: .init(conninfo: conninfo))
        }
    }
}
