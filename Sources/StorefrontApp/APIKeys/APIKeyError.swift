/// What can go wrong with API keys, in the domain's words.
enum APIKeyError: Error, Sendable, Equatable, AppErrorConvertible {
    /// No such key, or another user's.
    case notFound
    case alreadyRotated

    var appError: AppError {
        switch self {
        case .notFound: AppError.notFound()
        case .alreadyRotated: AppError(.conflict, "This key was already rotated")
        }
    }
}
