import Foundation

/// What can go wrong with orders, in the domain's words.
enum OrderError: Error, Sendable, Equatable, AppErrorConvertible {
    /// No such order, or one the caller may not know exists.
    case notFound
    /// Lines naming products that are unknown or deleted, or that cannot form one order
    /// (mixed currencies, a total past 64 bits): a 422 naming each line.
    case invalidLines([FieldIssue])
    /// Lines asking for more than is in stock, each named with what is left.
    case insufficientStock([FieldIssue])
    /// A status change the state machine does not allow.
    case invalidState(from: OrderStatus, to: OrderStatus)
    /// `If-Match` names no current version.
    case preconditionFailed

    var appError: AppError {
        switch self {
        case .notFound: AppError.notFound()
        case .invalidLines(let issues): AppError.validation(issues)
        case .insufficientStock(let issues):
            AppError(.insufficientStock, "Not enough stock for every item; nothing was taken", details: issues)
        case .invalidState(let from, let to):
            AppError(.invalidState, "An order that is \(from.rawValue) cannot become \(to.rawValue)")
        case .preconditionFailed: AppError(.preconditionFailed, "If-Match does not match the order's current ETag")
        }
    }
}
