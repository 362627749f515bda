import Crypto
import Foundation
import HTTPCore

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
        json.key("i"); json.uuid(cursor.id)
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

/// `?limit=&sort=&cursor=` of a list endpoint, read as fields like any other: limit
/// 1...100 (default 20), sort from the endpoint's closed set. The cursor is checked by
/// `after(using:)` once the fields are valid, since it is only meaningful for a valid sort.
public struct PageRequest<Sort: RawRepresentable & CaseIterable & Sendable>: Sendable where Sort.RawValue == String {
    public static var defaultLimit: Int { 20 }
    public static var limits: ClosedRange<Int> { 1...100 }
    public let limit: Int
    public let sort: Sort
    let cursorText: String?

    /// The row the page starts after: nil for the first page; 400 for a cursor this server
    /// did not sign or made for another sort.
    public func after(using codec: CursorCodec) throws(AppError) -> KeysetCursor? {
        try cursorText.map { text throws(AppError) in try codec.decode(text, sort: sort.rawValue) }
    }
}

extension FieldReader {
    /// The pagination parameters of a list endpoint, with issues on `limit` and `sort`.
    public mutating func page<Sort>(default defaultSort: Sort) -> PageRequest<Sort>? {
        var limit: Int? = PageRequest<Sort>.defaultLimit
        if let text = string("limit", in: .query, required: false) {
            limit = Int(text).flatMap { PageRequest<Sort>.limits.contains($0) ? $0 : nil }
            if limit == nil { addIssue("limit", "must be an integer between 1 and 100") }
        }
        var sort: Sort? = defaultSort
        if let text = string("sort", in: .query, required: false) {
            sort = Sort(rawValue: text)
            if sort == nil {
                addIssue("sort", "must be one of \(Sort.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let cursor = string("cursor", in: .query, required: false)
        guard let limit, let sort else { return nil }
        return PageRequest(limit: limit, sort: sort, cursorText: cursor)
    }
}

/// One page of results, rendered as API.md's `{data, pagination, links}` with a
/// `Link: <...>; rel="next"` header (RFC 8288) mirroring `links.next`.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let next: KeysetCursor?

    /// `rows` is what the repository fetched with `limit + 1`; the extra row only says
    /// whether there is a next page.
    init(rows: [Keyed<Item>], limit: Int) {
        items = rows.prefix(limit).map(\.item)
        next = rows.count > limit ? rows[limit - 1].cursor : nil
    }

    public func response(request: Request, limit: Int, codec: CursorCodec,
                         render: (inout JSONWriter, Item) -> Void) -> HTTPResponse {
        let nextCursor = next.map(codec.encode)
        let selfLink = Page.link(request: request, cursor: request.query["cursor"])
        let nextLink = nextCursor.map { Page.link(request: request, cursor: $0) }
        let headers = nextLink.map { [("Link", "<\($0)>; rel=\"next\"")] } ?? []
        // ~400 bytes a product or order, and the envelope with its links: one allocation.
        return .json(headers: headers, capacity: 1024 + 512 * items.count) { json in
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
        let encoded = query.sorted { $0.key < $1.key }.map { key, value in
            "\(percentEncodedQueryComponent(key))=\(percentEncodedQueryComponent(value))"
        }
        return String(request.path) + (encoded.isEmpty ? "" : "?" + encoded.joined(separator: "&"))
    }
}

/// A query component with everything but letters, digits and `-._~` (RFC 3986 §2.3)
/// percent-encoded, as `addingPercentEncoding(withAllowedCharacters:)` with those does.
/// ASCII text (every cursor, nearly every query) is encoded here byte by byte: Foundation
/// builds a character set and bridges to NSString on each call, ~10% of a list request's
/// CPU in the profile (issue 9). Other text still takes Foundation's path, which also
/// leaves non-ASCII letters as they are.
func percentEncodedQueryComponent(_ text: String) -> String {
    guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
    func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") - 10 + nibble }
    var encoded: [UInt8] = []
    encoded.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            encoded.append(byte)
        default:
            // Three appends, not an array literal: that allocated for every escaped byte.
            encoded.append(UInt8(ascii: "%"))
            encoded.append(hexDigit(byte >> 4))
            encoded.append(hexDigit(byte & 0x0F))
        }
    }
    return String(decoding: encoded, as: UTF8.self)
}
