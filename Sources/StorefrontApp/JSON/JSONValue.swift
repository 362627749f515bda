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
    /// Each name's position in `members`, once the object has `indexThreshold` members:
    /// from then on a lookup (and the parser's duplicate check) is one hash, where a scan
    /// per member made an object of n members cost n² comparisons. Below it a scan of at
    /// most that many names is cheaper than hashing. Swift's hashing is seeded per process,
    /// so names cannot be chosen to collide.
    private var positions: [String: Int]?
    static let indexThreshold = 12

    public init(_ members: [(name: String, value: JSONValue)] = []) {
        self.members = []
        positions = nil
        for member in members { _ = insert(member.name, member.value) }
    }

    public subscript(name: String) -> JSONValue? {
        if let positions { return positions[name].map { members[$0].value } }
        return members.first { $0.name == name }?.value
    }

    public func has(_ name: String) -> Bool { self[name] != nil }

    /// Name comparisons (or hashes) the next `insert` costs: the parser's work counter.
    var insertCost: Int { positions == nil ? members.count : 1 }

    /// Appends the member unless its name is already present; false for a duplicate.
    mutating func insert(_ name: String, _ value: JSONValue) -> Bool {
        if positions != nil {
            // One hash on the common path; a duplicate puts the first position back.
            if let first = positions?.updateValue(members.count, forKey: name) {
                positions?[name] = first
                return false
            }
        } else {
            guard !members.contains(where: { $0.name == name }) else { return false }
            if members.count + 1 == JSONObject.indexThreshold {
                positions = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1.name, $0) })
                positions?[name] = members.count
            }
        }
        members.append((name, value))
        return true
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
