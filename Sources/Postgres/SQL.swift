/// The text of one SQL statement, which can only be written as a string literal in the
/// program's source.
///
/// `SQL` deliberately has no initializer taking a `String` and does not conform to
/// `ExpressibleByStringInterpolation`: `SQL("SELECT \(name)")` does not compile, because a
/// `StaticString` cannot be interpolated. Values therefore always travel as bound parameters
/// (`$1`, `$2`, ...). Literal fragments compose with `+`, e.g. a closed enum of sort orders:
///
/// ```swift
/// let sql: SQL = "SELECT id FROM products ORDER BY " + sort.orderBy   // orderBy: SQL
/// ```
public struct SQL: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The statement text; it is also the key of each connection's prepared-statement cache.
    let text: String

    /// A statement written as a literal in the source.
    public init(_ literal: StaticString) {
        text = literal.description
    }

    /// Lets a literal stand where `SQL` is expected: `pool.query("SELECT 1")`. The literal
    /// type is `StaticString`, so interpolation is still impossible.
    public init(stringLiteral literal: StaticString) {
        self.init(literal)
    }

    /// Joined literal fragments; never reachable with caller text.
    private init(validated text: String) {
        self.text = text
    }

    /// Joins two literal fragments; the result is still made only of literals.
    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        SQL(validated: lhs.text + rhs.text)
    }

    public var description: String { text }
}
