/// Errors a service may throw that a client is meant to see. Each domain has one such enum
/// (`UserError`, `APIKeyError`, ...) and turns its cases into an `AppError` (and so a status
/// and code) in `appError`, the only place that decides; `ErrorMiddleware` renders it.
public protocol AppErrorConvertible: Error {
    var appError: AppError { get }
}

/// One bad field in a 422's `details`.
public struct FieldIssue: Sendable, Equatable {
    public let field: String
    public let issue: String
    public init(field: String, issue: String) { self.field = field; self.issue = issue }
}

/// An error a client is meant to see: a code, a safe message, field details and any
/// headers the status requires (`Allow`, `Retry-After`, `WWW-Authenticate`).
public struct AppError: Error, Sendable {
    public let code: ErrorCode
    public let message: String
    public var details: [FieldIssue]
    public var headers: [(String, String)]

    public init(_ code: ErrorCode, _ message: String, details: [FieldIssue] = [], headers: [(String, String)] = []) {
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public static func notFound(_ message: String = "Resource not found") -> AppError { AppError(.notFound, message) }
    public static func badRequest(_ message: String) -> AppError { AppError(.badRequest, message) }
    public static func validation(_ details: [FieldIssue]) -> AppError {
        AppError(.validationError, "Invalid input provided", details: details)
    }
    public static func unavailable(_ message: String, retryAfterSeconds: Int = 1) -> AppError {
        AppError(.unavailable, message, headers: [("Retry-After", String(retryAfterSeconds))])
    }
}
