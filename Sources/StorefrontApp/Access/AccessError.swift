/// What the auth link refuses, whichever domain the route belongs to.
public enum AccessError: Error, Sendable, Equatable, AppErrorConvertible {
    /// No credentials where the route needs some, or credentials that did not verify.
    case unauthenticated
    /// A well-signed access token past its `exp`.
    case tokenExpired
    /// Authenticated, but the role, scope or kind of credential does not allow it.
    case forbidden

    public var appError: AppError {
        switch self {
        case .unauthenticated: AppError(.unauthorized, "Valid credentials are required")
        case .tokenExpired: AppError(.tokenExpired, "The access token has expired")
        case .forbidden: AppError(.forbidden, "These credentials do not allow this operation")
        }
    }
}
