import Foundation

/// A product of the catalogue (API.md, Products). `version` starts at 1 and grows by one
/// with every change, deletion included; it is what `ETag` and `If-Match` are made of.
public struct Product: Sendable, Equatable {
    public static let nameLength = 1...200
    public static let descriptionLength = 0...10_000
    public static let categoryLength = 1...64
    /// A billion of anything is more than a shop holds, and keeps `stock` far from overflow.
    public static let stockRange: ClosedRange<Int64> = 0...1_000_000_000

    public let id: UUID
    public var sku: Sku
    public var name: String
    public var description: String?
    public var category: String?
    public var price: Money
    public var stock: Int64
    public var version: Int64
    public let createdAt: Date
    public var updatedAt: Date

    /// What a client may set, as it stands after this change.
    var draft: ProductDraft {
        ProductDraft(sku: sku, name: name, description: description, category: category, price: price, stock: stock)
    }
}

/// Every writable field of a product, validated: the body of POST and PUT, or a product
/// with a merge patch applied.
struct ProductDraft: Sendable, Equatable {
    var sku: Sku
    var name: String
    var description: String?
    var category: String?
    var price: Money
    var stock: Int64
}

/// A JSON merge patch (RFC 7396) of a product: absent members leave a field alone; `null`
/// clears an optional one (a `null` on a required field was refused while reading).
struct ProductPatch: Sendable {
    enum Change<Value: Sendable>: Sendable {
        case keep
        case set(Value)
    }

    var sku: Sku?
    var name: String?
    var description: Change<String?> = .keep
    var category: Change<String?> = .keep
    var priceCents: Int64?
    var currency: CurrencyCode?
    var stock: Int64?

    /// The fields after the patch. Nil when the new price does not form a valid amount,
    /// which cannot happen: both halves were checked while reading.
    func applied(to current: ProductDraft) -> ProductDraft? {
        var draft = current
        if let sku { draft.sku = sku }
        if let name { draft.name = name }
        if case .set(let value) = description { draft.description = value }
        if case .set(let value) = category { draft.category = value }
        if let stock { draft.stock = stock }
        guard let price = Money(cents: priceCents ?? current.price.cents, currency: currency ?? current.price.currency)
        else { return nil }
        draft.price = price
        return draft
    }
}

/// The sort orders of GET /products (API.md, Products); each pages on (key, id).
public enum ProductSort: String, Sendable, CaseIterable {
    case createdAtDescending = "-created_at"
    case createdAt = "created_at"
    case price = "price"
    case priceDescending = "-price"
    case name = "name"
    case nameDescending = "-name"
}

/// GET /products filters, already validated; every one may combine with every sort.
struct ProductFilter: Sendable, Equatable {
    /// Name or description contains it, case-insensitively; `%` and `_` are literal.
    var text: String?
    var category: String?
    var minPriceCents: Int64?
    var maxPriceCents: Int64?
    /// true: only products with stock; false: only those without.
    var inStock: Bool?
}

/// The moments a product change must be told to the rest of the system (webhooks: the
/// `product.*` event types of API.md).
enum ProductEvent: String, Sendable {
    case productCreated = "product.created"
    case productUpdated = "product.updated"
    case productDeleted = "product.deleted"
}
