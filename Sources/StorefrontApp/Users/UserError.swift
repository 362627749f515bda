/// What can go wrong with accounts, in the domain's words. The repository translates
/// SQLSTATEs into these; the service throws them.
enum UserError: Error, Sendable, Equatable, AppErrorConvertible {
    /// No such user, or one the caller may not know exists.
    case notFound
    case emailTaken
    /// Wrong password or unknown email: deliberately the same answer.
    case invalidCredentials
    case accountDisabled
    /// Demoting, disabling or deleting the last active admin.
    case lastAdmin
    case wrongCurrentPassword
    /// The password hashing pool refused the job: too many sign-ins at once.
    case hashingOverloaded

    var appError: AppError {
        switch self {
        case .notFound: AppError.notFound()
        case .emailTaken: AppError(.emailTaken, "An account with this email already exists")
        case .invalidCredentials: AppError(.invalidCredentials, "Invalid email or password")
        case .accountDisabled: AppError(.forbidden, "This account is disabled")
        case .lastAdmin: AppError(.conflict, "The last active admin cannot be demoted, disabled or deleted")
        case .wrongCurrentPassword:
            AppError.validation([FieldIssue(field: "current_password", issue: "is missing or wrong")])
        case .hashingOverloaded: AppError.unavailable("Too many sign-ins at once; retry shortly")
        }
    }
}
