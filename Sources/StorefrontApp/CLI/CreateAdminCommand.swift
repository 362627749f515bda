import Crypto
import Foundation

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
    return try await CommandServices.withDomains(configuration, hasher: hasher) { domains in
        let (user, created) = try await domains.users.service.createOrPromoteAdmin(email: email, name: name,
                                                                                   password: password,
                                                                                   client: "create-admin")
        return CreateAdminOutcome(userID: user.id, created: created)
    }
}
