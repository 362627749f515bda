import Crypto
import Foundation

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
        return try await CommandServices.withDomains(configuration, hasher: hasher) { domains in
            try await seed(users: domains.users.service)
        }
    }

    static func seed(users: UsersService) async throws -> [String] {
        var lines: [String] = []
        for account in accounts {
            guard let email = Email(account.email), let name = PersonName(account.name),
                  let password = Password(demoPassword) else { continue }
            do {
                _ = try await users.createAccount(email: email, password: password, name: name, role: account.role,
                                                  client: "seed")
                lines.append("seed: created \(account.role.rawValue) \(account.email)")
            } catch UserError.emailTaken {
                lines.append("seed: \(account.email) already exists")
            }
        }
        return lines
    }
}
