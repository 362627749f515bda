/// What a credential verifier read about the caller's account while proving it may act now,
/// carried on the `Principal` so that a handler needing the same row (GET /users/me) does
/// not read it a second time: one round trip per request instead of two (issue 9). Opaque
/// here, because Access names no domain's types (ADR 0003); the domain that stored a value
/// reads it back with `value(as:)`.
public struct AccountSnapshot: Sendable, Equatable {
    private let value: any Sendable & Equatable

    public init(_ value: some Sendable & Equatable) {
        self.value = value
    }

    public func value<T>(as type: T.Type) -> T? {
        value as? T
    }

    public static func == (lhs: AccountSnapshot, rhs: AccountSnapshot) -> Bool {
        lhs.value.isSame(as: rhs.value)
    }
}

private extension Equatable {
    /// Equality across an existential: a value of another type is never equal.
    func isSame(as other: any Equatable) -> Bool { (other as? Self) == self }
}
