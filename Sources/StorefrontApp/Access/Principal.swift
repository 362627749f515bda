import Foundation

/// What a user may be. `customer` is the default at registration.
public enum Role: String, Sendable, CaseIterable {
    case customer
    case admin
}

/// What an API key may do (API.md, Authentication and roles).
public enum Scope: String, Sendable, CaseIterable, Hashable {
    case productsRead = "products:read"
    case productsWrite = "products:write"
    case ordersRead = "orders:read"
    case ordersWrite = "orders:write"
    case usersRead = "users:read"

    /// Scopes a key of a user with `role` may carry; asking for more is 403.
    public static func grantable(to role: Role) -> Set<Scope> {
        switch role {
        case .admin: Set(Scope.allCases)
        case .customer: [.productsRead, .ordersRead, .ordersWrite, .usersRead]
        }
    }
}

/// Who is calling, as established by the auth link from a bearer token or an API key.
public struct Principal: Sendable, Equatable {
    public enum Credential: Sendable, Equatable {
        case accessToken
        case apiKey(id: UUID, scopes: Set<Scope>)
    }

    public let userID: UUID
    public let role: Role
    public let credential: Credential
    /// The account as the verifier read it, in the statement that proved it may act; nil
    /// when the verifier read no more than the role.
    public let account: AccountSnapshot?

    public init(userID: UUID, role: Role, credential: Credential, account: AccountSnapshot? = nil) {
        self.userID = userID
        self.role = role
        self.credential = credential
        self.account = account
    }

    public var isAdmin: Bool { role == .admin }

    /// A bearer token carries everything the role allows; a key only its scopes.
    public func has(_ scope: Scope) -> Bool {
        switch credential {
        case .accessToken: true
        case .apiKey(_, let scopes): scopes.contains(scope)
        }
    }
}
