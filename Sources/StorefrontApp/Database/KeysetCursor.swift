import Foundation

/// Where a page starts: the sort key and id of the last row of the previous page
/// (keyset pagination: stable under concurrent inserts, never OFFSET). Repositories make
/// them from rows and read them in `WHERE (key, id) > (...)`; `CursorCodec` turns them
/// into the opaque text clients see.
public struct KeysetCursor: Sendable, Equatable {
    /// The sort this cursor was made for; reusing it with another sort is refused.
    public let sort: String
    /// The last row's sort value in text form (a timestamp with microseconds, an email).
    public let key: String
    public let id: UUID

    public init(sort: String, key: String, id: UUID) {
        self.sort = sort
        self.key = key
        self.id = id
    }
}

/// A row of a list query with the cursor that starts the page after it. The cursor key is
/// storage detail (e.g. `created_at` as text with microseconds), so it travels beside the
/// domain value instead of inside it.
struct Keyed<Item: Sendable>: Sendable {
    let item: Item
    let cursor: KeysetCursor
}
