import Crypto
import Foundation
import Postgres

/// A `create-admin` problem the operator can fix: printed as one line, exit code 2.
public struct CreateAdminError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = "create-admin: " + description }
}

/// What `create-admin` did, as the one line it prints.
public struct CreateAdminOutcome: Sendable {
    public let userID: UUID
    public let created: Bool
    public var message: String {
        "create-admin: \(created ? "created" : "promoted") admin \(userID.uuidString.lowercased())"
    }
}

/// The password for `create-admin`: `ADMIN_PASSWORD` when set, else the first line of
/// standard input. Never a flag: flags end up in shell history and `ps` output.
public func readAdminPassword(environment: [String: String],
                              readLine: () -> String?) throws(CreateAdminError) -> Password {
    let text = environment["ADMIN_PASSWORD"] ?? readLine()
    guard let text, !text.isEmpty else {
        throw CreateAdminError("no password: pipe it on standard input or set ADMIN_PASSWORD")
    }
    guard let password = Password(text) else {
        throw CreateAdminError("the password must be \(Password.length.lowerBound) to \(Password.length.upperBound) characters")
    }
    return password
}

/// `storefront create-admin --email E [--name N]`: creates the admin, or promotes (and
/// re-enables) the account with that email, setting its password. Running it twice
/// leaves one admin. A changed password ends the account's existing sessions.
public func runCreateAdmin(email emailText: String, name nameText: String?, password: Password,
                           configuration: AppConfiguration,
                           hasher: PasswordHasher = PasswordHasher()) async throws -> CreateAdminOutcome {
    guard let email = Email(emailText) else { throw CreateAdminError("--email is not a valid email address") }
    guard let name = PersonName(nameText ?? "Administrator") else {
        throw CreateAdminError("--name must be 1 to 100 characters without control characters")
    }
    // A one-off command, not an event loop: hashing inline is fine here.
    let hash = try hasher.hash(password.value)
    let pool = try PostgresPool(configuration: configuration.postgresConfiguration)
    do {
        let outcome = try await pool.withTransaction { connection in
            let (user, created) = try await UserRepository(pool: pool)
                .upsertAdmin(email: email, name: name, passwordHash: hash, on: connection)
            if !created {
                try await RefreshTokenRepository(pool: pool)
                    .revokeAll(userID: user.id, reason: .passwordChanged, on: connection)
            }
            return CreateAdminOutcome(userID: user.id, created: created)
        }
        await pool.shutdown()
        return outcome
    } catch {
        await pool.shutdown()
        throw error
    }
}
