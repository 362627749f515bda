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
    /// Each name's position in `members`: a lookup (and the parser's duplicate check) is
    /// one hash, not a scan, which made an object of n members cost n² comparisons.
    /// Swift's hashing is seeded per process, so names cannot be chosen to collide.
    private var positions: [String: Int]

    public init(_ members: [(name: String, value: JSONValue)] = []) {
        self.members = members
        positions = Dictionary(members.enumerated().map { ($1.name, $0) }) { first, _ in first }
    }

    public subscript(name: String) -> JSONValue? {
        positions[name].map { members[$0].value }
    }

    public func has(_ name: String) -> Bool { positions[name] != nil }

    /// Appends the member unless its name is already present; false for a duplicate.
    mutating func insert(_ name: String, _ value: JSONValue) -> Bool {
        guard positions[name] == nil else { return false }
        positions[name] = members.count
        members.append((name, value))
        return true
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
