/// Which versions of a row a conditional write may replace (optimistic concurrency, from
/// `If-Match`). Repositories compare them in the write's own `WHERE`, so the check and the
/// write are one statement and no other writer can slip between them.
public struct ExpectedVersions: Sendable, Equatable {
    /// Nil: any version (no `If-Match`, or `*`). Empty: none, so the write cannot happen.
    public let versions: [Int64]?

    public init(versions: [Int64]?) { self.versions = versions }

    public static let any = ExpectedVersions(versions: nil)

    public func allows(_ version: Int64) -> Bool { versions?.contains(version) ?? true }
}
