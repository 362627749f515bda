/// A PostgreSQL type OID as reported for a result column, with the names of the built-in
/// types this module decodes (used in decoding error messages).
public struct PostgresDataType: Sendable, Hashable, CustomStringConvertible {
    /// The type's OID (`pg_type.oid`).
    public let oid: UInt32

    public init(oid: UInt32) { self.oid = oid }

    static let bool = PostgresDataType(oid: 16)
    static let bytea = PostgresDataType(oid: 17)
    static let name = PostgresDataType(oid: 19)
    static let int8 = PostgresDataType(oid: 20)
    static let int2 = PostgresDataType(oid: 21)
    static let int4 = PostgresDataType(oid: 23)
    static let text = PostgresDataType(oid: 25)
    static let json = PostgresDataType(oid: 114)
    static let xml = PostgresDataType(oid: 142)
    static let float4 = PostgresDataType(oid: 700)
    static let float8 = PostgresDataType(oid: 701)
    static let unknown = PostgresDataType(oid: 705)
    static let bpchar = PostgresDataType(oid: 1042)
    static let varchar = PostgresDataType(oid: 1043)
    static let date = PostgresDataType(oid: 1082)
    static let timestamp = PostgresDataType(oid: 1114)
    static let timestamptz = PostgresDataType(oid: 1184)
    static let numeric = PostgresDataType(oid: 1700)
    static let uuid = PostgresDataType(oid: 2950)
    static let jsonb = PostgresDataType(oid: 3802)

    /// Element type -> array type, for the built-in arrays this module reads.
    private static let arrays: [UInt32: UInt32] = [
        16: 1000, 17: 1001, 19: 1003, 20: 1016, 21: 1005, 23: 1007, 25: 1009, 26: 1028,
        114: 199, 700: 1021, 701: 1022, 1042: 1014, 1043: 1015, 1082: 1182, 1114: 1115,
        1184: 1185, 1700: 1231, 2950: 2951, 3802: 3807,
    ]
    private static let elements: [UInt32: UInt32] =
        Dictionary(uniqueKeysWithValues: arrays.map { ($0.value, $0.key) })

    private static let names: [UInt32: String] = [
        16: "boolean", 17: "bytea", 19: "name", 20: "bigint", 21: "smallint", 23: "integer",
        25: "text", 26: "oid", 114: "json", 142: "xml", 700: "real", 701: "double precision",
        705: "unknown", 1042: "character", 1043: "character varying", 1082: "date",
        1114: "timestamp without time zone", 1184: "timestamp with time zone",
        1700: "numeric", 2950: "uuid", 3802: "jsonb",
    ]

    /// For an array type, the type of its elements.
    public var elementType: PostgresDataType? {
        Self.elements[oid].map(PostgresDataType.init(oid:))
    }

    /// Types created in the database (enums, extension types such as citext) rather than
    /// built in; their OIDs start at FirstNormalObjectId (16384).
    public var isUserDefined: Bool { oid >= 16384 }

    public var description: String {
        if let name = Self.names[oid] { return name }
        if let element = elementType { return element.description + "[]" }
        return "oid \(oid)"
    }
}
