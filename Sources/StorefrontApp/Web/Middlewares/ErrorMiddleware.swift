import Postgres
import HTTPCore

/// Turns every thrown error into the envelope. Client-facing `AppError`s keep their code;
/// a database that cannot be reached becomes 503; a value the database refused becomes a
/// 422; anything else is a 500 whose details go to the log with the request id and never to
/// the client. Database errors are logged by SQLSTATE, constraint and message only: their
/// detail can quote the whole row, password hash and TOTP secret included.
struct ErrorMiddleware: SynchronousLink {
    let logger: Logger

    func after(_ request: Request, context: RequestContext, outcome: inout LinkOutcome) {
        if case .failed(let error) = outcome { outcome = .answered(render(error, context: context)) }
    }

    private func render(_ error: any Error, context: RequestContext) -> HTTPResponse {
        switch error {
        case let error as ErrorWithHeaders:
            var response = render(error.underlying, context: context)
            for (name, value) in error.headers { response.headers.add(name, value) }
            return response
        case let error as AppError:
            return ErrorEnvelope.response(for: error, requestID: context.requestID)
        case let error as any AppErrorConvertible:
            return ErrorEnvelope.response(for: error.appError, requestID: context.requestID)
        case let error as PostgresError where error.isUnavailability:
            // The pool already scrubs passwords from libpq's messages.
            logger.warning("database unavailable", ["request_id": .string(context.requestID),
                                                    "route": .string(context.routeTemplate),
                                                    "error": .string(error.description)])
            return ErrorEnvelope.response(for: .unavailable("The database is unavailable; retry shortly"),
                                          requestID: context.requestID)
        case let error as PostgresError where error.isRefusedValue:
            logger.error("database refused a value that validation let through",
                         ["request_id": .string(context.requestID), "route": .string(context.routeTemplate),
                          "error": .string(error.description)])
            return ErrorEnvelope.response(for: AppError(.validationError, "A value does not meet the data rules"),
                                          requestID: context.requestID)
        default:
            logger.error("unhandled error", ["request_id": .string(context.requestID),
                                             "route": .string(context.routeTemplate),
                                             "error": .string(String(describing: error))])
            return ErrorEnvelope.response(for: AppError(.internalError, "An internal error occurred"),
                                          requestID: context.requestID)
        }
    }
}

extension ErrorMiddleware {
    /// The error as the client is meant to see it, when it is one of ours (`AppError` or a
    /// domain error), as `handle` renders it; nil for everything that becomes a 500 or 503.
    /// The idempotency link renders client errors itself, to store them.
    static func clientFacing(_ error: any Error) -> AppError? {
        switch error {
        case let error as AppError: error
        case let error as any AppErrorConvertible: error.appError
        default: nil
        }
    }
}
