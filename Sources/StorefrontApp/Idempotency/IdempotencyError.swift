/// What can go wrong with an `Idempotency-Key`, in the domain's words.
enum IdempotencyError: Error, Sendable, Equatable, AppErrorConvertible {
    /// The header is not 1...255 visible ASCII characters, bare or quoted.
    case malformedKey
    /// The header is sent more than once.
    case repeatedKey
    /// The endpoint needs a key (POST /api/v1/orders) and none was sent.
    case missingKey
    /// The key was used by this caller for a different request.
    case keyReused
    /// The first request with this key is still running.
    case inProgress

    var appError: AppError {
        switch self {
        case .malformedKey:
            AppError.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters, bare or quoted")
        case .repeatedKey: AppError.badRequest("Send Idempotency-Key at most once")
        case .missingKey: AppError.badRequest("This endpoint requires an Idempotency-Key header")
        case .keyReused:
            AppError(.idempotencyKeyReused, "This Idempotency-Key was already used with a different request")
        case .inProgress:
            AppError(.idempotencyInProgress, "A request with this Idempotency-Key is still being processed; retry later",
                     headers: [("Retry-After", "1")])
        }
    }
}
