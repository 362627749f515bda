import Foundation

/// A user as the domains see it. The password hash and TOTP secrets live only in the
/// repository's credential rows, so a `User` can always be rendered safely.
public struct User: Sendable, Equatable {
    public let id: UUID
    public var email: String
    public var name: String
    public var role: Role
    /// TOTP is confirmed: sign-in needs a one-time code.
    public var mfaEnabled: Bool
    public var disabled: Bool
    public let createdAt: Date
    public var updatedAt: Date
}

/// A sign-in whose password was just verified: the account, and the credentials version
/// that was checked, so the session can be refused if the password changed since.
struct VerifiedSignIn: Sendable {
    let user: User
    let credentialsVersion: Int64
}

/// The sort orders of GET /users (API.md, Users).
public enum UserSort: String, Sendable, CaseIterable {
    case createdAt = "created_at"
    case createdAtDescending = "-created_at"
    case email = "email"
    case emailDescending = "-email"
}

/// GET /users filters, already validated.
struct UserFilter: Sendable {
    var role: Role?
    /// Matched against email and name, case-insensitively, as a substring.
    var text: String?
}
