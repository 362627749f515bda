import Foundation
import Postgres

/// A user as the domains see it. The password hash and TOTP secrets live only in the
/// repository's credential rows, so a `User` can always be rendered safely.
public struct User: Sendable, Equatable {
    public let id: UUID
    public var email: String
    public var name: String
    public var role: Role
    public var mfaEnabled: Bool
    public var disabled: Bool
    public let createdAt: Date
    public var updatedAt: Date
    /// `created_at` as PostgreSQL prints it, with microseconds: the exact keyset key.
    let createdKey: String

    /// The columns every user query selects, in the form `init(row:)` reads.
    static let columns: SQL = """
        id, email, name, role, totp_secret IS NOT NULL AS mfa_enabled, disabled, created_at, updated_at,
        created_at::text AS created_key
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        email = try row.decode("email")
        name = try row.decode("name")
        guard let role = Role(rawValue: try row.decode("role", as: String.self)) else {
            throw PostgresError.decoding(column: "role", expected: "Role", actual: "text")
        }
        self.role = role
        mfaEnabled = try row.decode("mfa_enabled")
        disabled = try row.decode("disabled")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
        createdKey = try row.decode("created_key")
    }

    /// API.md, Users: `{id, email, name, role, mfa_enabled, disabled, created_at, updated_at}`.
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(id.uuidString.lowercased())
        json.key("email"); json.string(email)
        json.key("name"); json.string(name)
        json.key("role"); json.string(role.rawValue)
        json.key("mfa_enabled"); json.bool(mfaEnabled)
        json.key("disabled"); json.bool(disabled)
        json.key("created_at"); json.string(Timestamp.rfc3339(createdAt))
        json.key("updated_at"); json.string(Timestamp.rfc3339(updatedAt))
        json.endObject()
    }
}

/// What login and password checks need besides the user.
struct UserCredentials: Sendable {
    let user: User
    let passwordHash: String
    /// Moves on with every password change (not with a rehash of the same password): a
    /// session may start only while it is still the value login verified.
    let credentialsVersion: Int64
    let totpSecret: [UInt8]?
    let totpLastStep: Int64?
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
