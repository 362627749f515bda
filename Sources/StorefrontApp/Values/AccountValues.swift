import Foundation

/// An email address as accepted at registration: plausible syntax, at most 254 bytes.
/// Kept as typed; uniqueness and lookups compare it case-insensitively.
public struct Email: Sendable, Hashable, CustomStringConvertible {
    public let value: String
    public init?(_ text: String) {
        guard EmailSyntax.isValid(text) else { return nil }
        value = text
    }
    public var description: String { value }
}

/// A password as accepted for setting: 10...128 characters (Unicode scalars, as every
/// length rule counts). Never printed.
public struct Password: Sendable, CustomStringConvertible {
    public static let length = 10...128
    public let value: String
    public init?(_ text: String) {
        guard Password.length.contains(text.unicodeScalars.count), !text.utf8.contains(0) else { return nil }
        value = text
    }
    public var description: String { "********" }
}

/// A person's display name: 1...100 characters (Unicode scalars, what the column's check
/// counts), no control characters.
public struct PersonName: Sendable, Hashable {
    public static let length = 1...100
    public let value: String
    public init?(_ text: String) {
        guard PersonName.length.contains(text.unicodeScalars.count),
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return nil }
        value = text
    }
}

extension FieldReader {
    /// Reads `name` as an `Email`, recording why it is not one.
    mutating func email(_ name: String, required: Bool = true) -> Email? {
        string(name, required: required, .email).flatMap(Email.init)
    }

    /// Reads `name` as a new `Password` (length rules apply).
    mutating func newPassword(_ name: String, required: Bool = true) -> Password? {
        string(name, required: required, .length(Password.length)).flatMap(Password.init)
    }

    mutating func personName(_ name: String, required: Bool = true) -> PersonName? {
        string(name, required: required, .length(PersonName.length), .printable).flatMap(PersonName.init)
    }

    /// A password presented for checking, not setting: any non-empty string up to the
    /// longest we accept, so an old shorter password still verifies.
    mutating func presentedPassword(_ name: String, required: Bool = true) -> String? {
        string(name, required: required, .length(1...Password.length.upperBound))
    }
}
