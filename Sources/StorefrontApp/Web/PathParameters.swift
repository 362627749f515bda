import Foundation

extension Request {
    /// The path parameter `name` as a UUID. One that is not a UUID names nothing: 404,
    /// never 500 (API.md, Conventions).
    public func uuidParameter(_ name: String = "id") throws(AppError) -> UUID {
        guard let text = pathParameters[name], let id = UUID(uuidString: text) else { throw AppError.notFound() }
        return id
    }
}
