/// What can go wrong with products, in the domain's words. The repository translates
/// SQLSTATEs into these; the service throws them.
enum ProductError: Error, Sendable, Equatable, AppErrorConvertible {
    /// No such product, or a deleted one.
    case notFound
    /// Another live product has this SKU.
    case skuTaken
    /// `If-Match` names no current version.
    case preconditionFailed

    var appError: AppError {
        switch self {
        case .notFound: AppError.notFound()
        case .skuTaken: AppError(.skuTaken, "A product with this SKU already exists")
        case .preconditionFailed:
            AppError(.preconditionFailed, "If-Match does not match the product's current ETag")
        }
    }
}
