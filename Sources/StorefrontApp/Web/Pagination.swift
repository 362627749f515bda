import Crypto
import Foundation
import HTTPCore

/// Where a page starts: the sort key and id of the last row of the previous page
/// (keyset pagination: stable under concurrent inserts, never OFFSET).
public struct KeysetCursor: Sendable, Equatable {
    /// The sort this cursor was made for; reusing it with another sort is refused.
    public let sort: String
    /// The last row's sort value in text form (a timestamp in ms, an email, a price).
    public let key: String
    public let id: UUID

    public init(sort: String, key: String, id: UUID) {
        self.sort = sort
        self.key = key
        self.id = id
    }
}

/// Turns cursors into opaque strings and back. Cursors are signed (HMAC-SHA256, cut to 128
/// bits) so a tampered one is a clean 400 rather than a query on forged values.
public struct CursorCodec: Sendable {
    let sign: @Sendable ([UInt8]) -> [UInt8]

    public init(sign: @escaping @Sendable ([UInt8]) -> [UInt8]) { self.sign = sign }

    /// Signs with HMAC-SHA256 under `key`. A signing failure (libcrypto) yields an empty
    /// tag, which no cursor matches: the request gets a clean 400, never a forged page.
    public init(key: [UInt8]) {
        self.init { payload in (try? HMAC.sha256(key: key, message: payload)) ?? [] }
    }

    /// The cursor key is derived from the JWT secret with its own label, so one secret
    /// configures both without a cursor tag ever being usable as anything else.
    init(configuration: AppConfiguration) throws {
        self.init(key: try HMAC.sha256(key: Array(configuration.jwtSecret.value.utf8),
                                       message: Array("storefront pagination cursor v1".utf8)))
    }

    public func encode(_ cursor: KeysetCursor) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("s"); json.string(cursor.sort)
        json.key("k"); json.string(cursor.key)
        json.key("i"); json.string(cursor.id.uuidString.lowercased())
        json.endObject()
        let payload = json.bytes
        return Base64URL.encode(payload) + "." + Base64URL.encode(Array(sign(payload).prefix(16)))
    }

    public func decode(_ text: String, sort: String) throws(AppError) -> KeysetCursor {
        let invalid = AppError.badRequest("The cursor is invalid; start again from the first page")
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard text.utf8.count <= 1024, parts.count == 2,
              let payload = Base64URL.decode(parts[0]),
              let signature = Base64URL.decode(parts[1]),
              signature.count == 16, constantTimeEquals(signature, Array(sign(payload).prefix(16))),
              case .object(let object)? = try? JSONParser.parse(payload),
              case .string(let cursorSort)? = object["s"], cursorSort == sort,
              case .string(let key)? = object["k"],
              case .string(let idText)? = object["i"], let id = UUID(uuidString: idText)
        else { throw invalid }
        return KeysetCursor(sort: sort, key: key, id: id)
    }
}

/// `?limit=&cursor=&sort=` of a list endpoint, validated: limit 1...100 (default 20),
/// sort from the endpoint's closed set, cursor signed and made for the same sort.
public struct PageRequest<Sort: RawRepresentable & CaseIterable & Sendable>: Sendable where Sort.RawValue == String {
    public let limit: Int
    public let sort: Sort
    public let after: KeysetCursor?

    public init(query: [String: String], defaultSort: Sort, codec: CursorCodec) throws(AppError) {
        var issues: [FieldIssue] = []
        var limit = 20
        if let text = query["limit"] {
            if let number = Int(text), (1...100).contains(number) { limit = number } else {
                issues.append(FieldIssue(field: "limit", issue: "must be an integer between 1 and 100"))
            }
        }
        var sort = defaultSort
        if let text = query["sort"] {
            if let parsed = Sort(rawValue: text) { sort = parsed } else {
                let allowed = Sort.allCases.map(\.rawValue).joined(separator: ", ")
                issues.append(FieldIssue(field: "sort", issue: "must be one of \(allowed)"))
            }
        }
        if !issues.isEmpty { throw AppError.validation(issues) }
        self.limit = limit
        self.sort = sort
        self.after = try query["cursor"].map { text throws(AppError) in try codec.decode(text, sort: sort.rawValue) }
    }
}

/// One page of results, rendered as API.md's `{data, pagination, links}` with a
/// `Link: <...>; rel="next"` header (RFC 8288) mirroring `links.next`.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let next: KeysetCursor?

    /// `rows` is what the repository fetched with `limit + 1`; the extra row only says
    /// whether there is a next page.
    public init(rows: [Item], limit: Int, cursorOf: (Item) -> KeysetCursor) {
        if rows.count > limit {
            items = Array(rows.prefix(limit))
            next = items.last.map(cursorOf)
        } else {
            items = rows
            next = nil
        }
    }

    public func response(request: Request, limit: Int, codec: CursorCodec,
                         render: (inout JSONWriter, Item) -> Void) -> HTTPResponse {
        let nextCursor = next.map(codec.encode)
        let selfLink = Page.link(request: request, cursor: request.query["cursor"])
        let nextLink = nextCursor.map { Page.link(request: request, cursor: $0) }
        let headers = nextLink.map { [("Link", "<\($0)>; rel=\"next\"")] } ?? []
        return .json(headers: headers) { json in
            json.beginObject()
            json.key("data")
            json.beginArray()
            for item in items { render(&json, item) }
            json.endArray()
            json.key("pagination")
            json.beginObject()
            json.key("limit"); json.integer(limit)
            json.key("has_more"); json.bool(next != nil)
            json.key("next_cursor"); json.optionalString(nextCursor)
            json.endObject()
            json.key("links")
            json.beginObject()
            json.key("self"); json.string(selfLink)
            json.key("next"); json.optionalString(nextLink)
            json.endObject()
            json.endObject()
        }
    }

    /// The request's path and query with `cursor` replaced, parameters in a stable order.
    static func link(request: Request, cursor: String?) -> String {
        var query = request.query
        query["cursor"] = cursor
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let encoded = query.sorted { $0.key < $1.key }.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }
        return String(request.path) + (encoded.isEmpty ? "" : "?" + encoded.joined(separator: "&"))
    }
}
