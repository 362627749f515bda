import Foundation
import Testing
@testable import StorefrontApp

/// `storefront create-admin`: password from ADMIN_PASSWORD or standard input, never a
/// flag; creates or promotes; idempotent.
@Suite struct CreateAdminTests {
    @Test func passwordComesFromTheEnvironmentFirstThenStandardInput() throws {
        #expect(try readAdminPassword(environment: ["ADMIN_PASSWORD": "from-the-env-1"]) { "from-stdin-123" }.value
                == "from-the-env-1")
        #expect(try readAdminPassword(environment: [:]) { "from-stdin-123" }.value == "from-stdin-123")
        #expect(throws: CreateAdminError.self) { try readAdminPassword(environment: [:]) { nil } }
        #expect(throws: CreateAdminError.self) { try readAdminPassword(environment: [:]) { "" } }
        #expect(throws: CreateAdminError.self) { try readAdminPassword(environment: [:]) { "short" } }
    }

    @Test func createsThenPromotesIdempotentlyAndTheAdminCanSignIn() async throws {
        try await withIdentityApp { api in
            var configuration = try AppConfiguration.fromEnvironment([:], cores: 1)
            configuration.databaseURL = api.database.conninfo
            let password = try #require(Password("admin password 1"))
            let first = try await runCreateAdmin(email: "Boss@Example.com", name: nil, password: password,
                                                 configuration: configuration, hasher: RunningApp.cheapHasher)
            #expect(first.created)
            #expect(first.message == "create-admin: created admin \(first.userID.uuidString.lowercased())")
            let again = try await runCreateAdmin(email: "boss@example.com", name: "Ignored", password: password,
                                                 configuration: configuration, hasher: RunningApp.cheapHasher)
            #expect(!again.created && again.userID == first.userID)
            let count = try #require(try await api.db.query("SELECT count(*)::int AS n FROM users WHERE role = 'admin'").rows.first)
            #expect(try count.decode("n", as: Int.self) == 1)
            let access = try await api.login("boss@example.com", password: "admin password 1").access
            #expect(try await api.call("GET", "/api/v1/users", bearer: access).status == 200)
        }
    }

    @Test func promotesAndReEnablesAnExistingCustomer() async throws {
        try await withIdentityApp { api in
            let id = try await api.register("cust@example.com")
            _ = try await api.db.query("UPDATE users SET disabled = true")
            var configuration = try AppConfiguration.fromEnvironment([:], cores: 1)
            configuration.databaseURL = api.database.conninfo
            let outcome = try await runCreateAdmin(email: "cust@example.com", name: nil,
                                                   password: try #require(Password("new admin password")),
                                                   configuration: configuration, hasher: RunningApp.cheapHasher)
            #expect(!outcome.created && outcome.userID.uuidString.lowercased() == id)
            let me = try RunningApp.json(try await api.call("GET", "/api/v1/users/me",
                                                      bearer: try await api.login("cust@example.com", password: "new admin password").access))
            #expect(me["role"] as? String == "admin")
            #expect(me["disabled"] as? Bool == false)
        }
    }

    @Test func aBadEmailOrNameIsAOneLineError() async throws {
        let configuration = try AppConfiguration.fromEnvironment([:], cores: 1)
        let password = try #require(Password("admin password 1"))
        await #expect(throws: CreateAdminError.self) {
            try await runCreateAdmin(email: "nope", name: nil, password: password, configuration: configuration)
        }
        await #expect(throws: CreateAdminError.self) {
            try await runCreateAdmin(email: "a@example.com", name: "", password: password, configuration: configuration)
        }
    }
}
