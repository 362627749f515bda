import Foundation
import Postgres

extension UserRepository {
    /// One page of GET /users: `limit + 1` rows after `after`, so `Page` can tell whether
    /// another page follows. Keyset pagination on (sort key, id), never OFFSET.
    func list(filter: UserFilter, sort: UserSort, after: KeysetCursor?, limit: Int,
              on db: any DatabaseSession) async throws -> [Keyed<User>] {
        let pattern = filter.text.map { "%" + UserRepository.escapeLike($0) + "%" }
        let binds: [any PostgresEncodable] = [filter.role?.rawValue, pattern, after?.key, after?.id, limit + 1]
        return try await db.query(UserRepository.listSQL(sort), binds).rows.map { row in
            let user = try User(row: row)
            return Keyed(item: user, cursor: KeysetCursor(sort: sort.rawValue, key: try row.decode("sort_key"), id: user.id))
        }
    }

    /// A literal statement per sort order: the order never travels as text.
    static func listSQL(_ sort: UserSort) -> SQL {
        let base: SQL = "SELECT " + UserRepository.columns + sortKey(sort) + """
             FROM users WHERE deleted_at IS NULL AND ($1::text IS NULL OR role = $1::text)
              AND ($2::text IS NULL OR email ILIKE $2::text ESCAPE '\\' OR name ILIKE $2::text ESCAPE '\\')
            """
        switch sort {
        case .createdAt:
            return base + """
                 AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::uuid))
                ORDER BY created_at, id LIMIT $5
                """
        case .createdAtDescending:
            return base + """
                 AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
                ORDER BY created_at DESC, id DESC LIMIT $5
                """
        case .email:
            return base + """
                 AND ($3::text IS NULL OR (lower(email), id) > ($3::text, $4::uuid))
                ORDER BY lower(email), id LIMIT $5
                """
        case .emailDescending:
            return base + """
                 AND ($3::text IS NULL OR (lower(email), id) < ($3::text, $4::uuid))
                ORDER BY lower(email) DESC, id DESC LIMIT $5
                """
        }
    }

    /// The keyset key as text: `created_at` with its microseconds (what the comparison
    /// needs to be exact), or the lower-cased email the index orders by.
    private static func sortKey(_ sort: UserSort) -> SQL {
        switch sort {
        case .createdAt, .createdAtDescending: ", created_at::text AS sort_key"
        case .email, .emailDescending: ", lower(email) AS sort_key"
        }
    }

    /// `q` is a substring, not a pattern: LIKE's wildcards and the escape are escaped. Per
    /// Unicode scalar, as PostgreSQL reads the pattern: per Character, `%` followed by a
    /// combining mark is one grapheme that is not `%`, and would stay a wildcard.
    static func escapeLike(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\\" || scalar == "%" || scalar == "_" { out.append("\\") }
            out.append(scalar)
        }
        return String(out)
    }
}
