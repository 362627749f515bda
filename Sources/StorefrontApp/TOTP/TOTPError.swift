/// What can go wrong with second factors, in the domain's words.
enum TOTPError: Error, Sendable, Equatable, AppErrorConvertible {
    case notFound
    case alreadyEnabled
    case notEnabled
    case notPending
    /// On enrolment or removal: the code field is wrong.
    case wrongCode
    /// On sign-in: TOTP is on and the one-time code was missing, wrong or already used.
    case codeRequired

    var appError: AppError {
        switch self {
        case .notFound: AppError.notFound()
        case .alreadyEnabled: AppError(.conflict, "TOTP is already enabled")
        case .notEnabled: AppError(.conflict, "TOTP is not enabled")
        case .notPending: AppError(.conflict, "Start TOTP enrollment first (POST /api/v1/auth/mfa/totp)")
        case .wrongCode: AppError.validation([FieldIssue(field: "code", issue: "is not a valid current code")])
        case .codeRequired: AppError(.mfaRequired, "A valid one-time code (otp) is required")
        }
    }
}
