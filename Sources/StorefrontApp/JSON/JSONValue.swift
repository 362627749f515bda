/// A parsed JSON document. Numbers keep their text so integers never pass through a
/// Double and lose precision; objects keep their members in order.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name used in validation messages ("must be a string, got number").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON object: members in document order, names unique (the parser refuses
/// duplicates, since which one wins differs between parsers).
public struct JSONObject: Sendable, Equatable {
    public private(set) var members: [(name: String, value: JSONValue)]

    public init(_ members: [(name: String, value: JSONValue)] = []) { self.members = members }

    public subscript(name: String) -> JSONValue? {
        members.first { $0.name == name }?.value
    }

    public func has(_ name: String) -> Bool { members.contains { $0.name == name } }

    mutating func append(_ name: String, _ value: JSONValue) { members.append((name, value)) }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
