import Foundation

/// What an endpoint reads from a request, declared as a struct: its initializer reads
/// every field through the reader, so every problem is collected before any is reported.
public protocol RequestInput: Sendable {
    /// Nil only when the reader recorded why (a required field missing or bad).
    init?(_ fields: inout FieldReader)
}

extension Request {
    /// The endpoint's input, or the one error that lists everything wrong with it.
    public func input<Input: RequestInput>(_: Input.Type = Input.self) throws(AppError) -> Input {
        var fields = FieldReader(self)
        let input = Input(&fields)
        try fields.finish()
        // An input that gave up without saying why is a bug in it, not the client's fault.
        guard let input else { throw AppError(.internalError, "An internal error occurred") }
        return input
    }
}

/// The `{id}` of a resource route (`/users/{id}`, `/api-keys/{id}`), for endpoints that
/// read nothing else.
struct ResourceIDInput: RequestInput {
    let id: UUID

    init?(_ fields: inout FieldReader) {
        guard let id = fields.pathID() else { return nil }
        self.id = id
    }
}
