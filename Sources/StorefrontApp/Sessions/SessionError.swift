/// What can go wrong with sessions, in the domain's words.
enum SessionError: Error, Sendable, Equatable, AppErrorConvertible {
    /// The refresh token is unknown, expired, revoked or was already rotated.
    case refreshTokenInvalid

    var appError: AppError {
        switch self {
        case .refreshTokenInvalid: AppError(.unauthorized, "The refresh token is invalid or has expired")
        }
    }
}
