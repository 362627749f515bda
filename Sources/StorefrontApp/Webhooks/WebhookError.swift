/// What can go wrong with webhooks, in the domain's words.
enum WebhookError: Error, Sendable, Equatable, AppErrorConvertible {
    /// No such endpoint or delivery (or a delivery of another endpoint).
    case notFound
    /// The URL passed the syntax checks but its host is, or resolves to, an address the
    /// policy refuses, or does not resolve at all: a 422 on `url`.
    case unacceptableURL(String)
    /// Redeliver of a delivery that is pending or already succeeded.
    case notRedeliverable(DeliveryStatus)
    /// Ping of a disabled endpoint: nothing would be sent.
    case endpointDisabled

    var appError: AppError {
        switch self {
        case .notFound: AppError.notFound()
        case .unacceptableURL(let issue): AppError.validation([FieldIssue(field: "url", issue: issue)])
        case .notRedeliverable(let status):
            AppError(.invalidState, "A \(status.rawValue) delivery cannot be redelivered; only failed or dead ones")
        case .endpointDisabled: AppError(.invalidState, "The endpoint is disabled; enable it before pinging")
        }
    }
}
