/// Errors a service may throw that a client is meant to see, each turned into an
/// `AppError` (and so a status and code) in `appError`, the only place that decides.
public protocol AppErrorConvertible: Error {
    var appError: AppError { get }
}

/// What can go wrong in the identity domains (auth, users, API keys), in the domains'
/// words. Repositories translate SQLSTATEs into these; services throw them.
public enum IdentityError: Error, Sendable, Equatable, AppErrorConvertible {
    /// No credentials where the route needs some, or credentials that did not verify.
    case unauthenticated
    /// A well-signed access token past its `exp`.
    case tokenExpired
    /// Wrong password or unknown email: deliberately the same answer.
    case invalidCredentials
    /// TOTP is on and the one-time code was missing, wrong or already used.
    case mfaRequired
    case accountDisabled
    /// Authenticated, but the role, scope or kind of credential does not allow it.
    case forbidden
    case emailTaken
    /// No such resource, or one the caller may not know exists.
    case notFound
    /// The refresh token is unknown, expired, revoked or was already rotated.
    case refreshTokenInvalid
    /// Demoting, disabling or deleting the last active admin.
    case lastAdmin
    case totpAlreadyEnabled
    case totpNotEnabled
    case totpNotPending
    case wrongTOTPCode
    case wrongCurrentPassword
    case apiKeyAlreadyRotated
    /// The password hashing pool refused the job: too many logins at once.
    case hashingOverloaded

    public var appError: AppError {
        switch self {
        case .unauthenticated: AppError(.unauthorized, "Valid credentials are required")
        case .tokenExpired: AppError(.tokenExpired, "The access token has expired")
        case .invalidCredentials: AppError(.invalidCredentials, "Invalid email or password")
        case .mfaRequired: AppError(.mfaRequired, "A valid one-time code (otp) is required")
        case .accountDisabled: AppError(.forbidden, "This account is disabled")
        case .forbidden: AppError(.forbidden, "These credentials do not allow this operation")
        case .emailTaken: AppError(.emailTaken, "An account with this email already exists")
        case .notFound: AppError.notFound()
        case .refreshTokenInvalid: AppError(.unauthorized, "The refresh token is invalid or has expired")
        case .lastAdmin: AppError(.conflict, "The last active admin cannot be demoted, disabled or deleted")
        case .totpAlreadyEnabled: AppError(.conflict, "TOTP is already enabled")
        case .totpNotEnabled: AppError(.conflict, "TOTP is not enabled")
        case .totpNotPending: AppError(.conflict, "Start TOTP enrollment first (POST /api/v1/auth/mfa/totp)")
        case .wrongTOTPCode: AppError.validation([FieldIssue(field: "code", issue: "is not a valid current code")])
        case .wrongCurrentPassword:
            AppError.validation([FieldIssue(field: "current_password", issue: "is missing or wrong")])
        case .apiKeyAlreadyRotated: AppError(.conflict, "This key was already rotated")
        case .hashingOverloaded: AppError.unavailable("Too many sign-ins at once; retry shortly")
        }
    }
}
