/// An ordered list of header fields. Names keep the case they arrived with and compare
/// case-insensitively (RFC 9110 §5.1); repeated fields stay separate entries.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    public private(set) var fields: [Field]

    public init() { fields = [] }
    public init(_ pairs: [(String, String)]) { fields = pairs.map { Field(name: $0.0, value: $0.1) } }

    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// The first value of `name`, if any.
    public subscript(name: String) -> String? {
        for field in fields where field.name.asciiCaseInsensitiveEquals(name) { return field.value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.asciiCaseInsensitiveEquals(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) {
        // A response gains its fields one link at a time (ten or so through the chain):
        // room for them at once saves the array regrowing, and copying its fields, 3-4 times.
        if fields.capacity == fields.count && fields.count < 16 { fields.reserveCapacity(16) }
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every value of `name` with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Several fields at once, in order.
    public mutating func add(contentsOf more: [Field]) {
        if fields.capacity < fields.count + more.count && fields.count + more.count <= 16 { fields.reserveCapacity(16) }
        fields.append(contentsOf: more)
    }

    public mutating func remove(_ name: String) {
        // Usually there is nothing to remove (`set` of a new field): a read-only scan then
        // spares `removeAll` its uniqueness check and its pass that moves every field.
        guard fields.contains(where: { $0.name.asciiCaseInsensitiveEquals(name) }) else { return }
        fields.removeAll { $0.name.asciiCaseInsensitiveEquals(name) }
    }
}

extension String {
    /// ASCII-only case-insensitive equality: header names and tokens are ASCII.
    /// Lengths first, then the bytes in place: the serializer and every header lookup
    /// compare names many times per request, and most pairs differ in length. Always
    /// inlined, so that those pairs cost two lengths at the call site and no call (the
    /// call was about 45 instructions, some 40 times a request through the full chain).
    @inlinable @inline(__always)
    public func asciiCaseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return asciiCaseInsensitiveBytesEqual(other)
    }

    /// The byte comparison, for names of equal length.
    @usableFromInline
    func asciiCaseInsensitiveBytesEqual(_ other: String) -> Bool {
        let inPlace = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in
                for index in 0..<a.count where !String.asciiCaseInsensitiveEquals(a[index], b[index]) { return false }
                return true
            }
        }
        if let inPlace, let equal = inPlace { return equal }
        for (x, y) in zip(utf8, other.utf8) where !String.asciiCaseInsensitiveEquals(x, y) { return false }
        return true
    }

    @inlinable
    static func asciiCaseInsensitiveEquals(_ x: UInt8, _ y: UInt8) -> Bool {
        if x == y { return true }
        let lower = x | 0x20
        return lower == y | 0x20 && lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
    }
}
