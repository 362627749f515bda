import Foundation

/// The text rules of product fields, shared by POST, PUT, PATCH and the list filters.
enum ProductRules {
    static let notBlank = StringRule { text in
        text.unicodeScalars.allSatisfy(\.properties.isWhitespace) ? "must not be blank" : nil
    }
    /// Line breaks and tabs are how descriptions are written; other control characters
    /// (NUL among them) are not text.
    static let multiline = StringRule { text in
        text.unicodeScalars.contains { $0.properties.generalCategory == .control && !"\t\n\r".unicodeScalars.contains($0) }
            ? "must not contain control characters other than tab and line breaks" : nil
    }
    static let name: [StringRule] = [.length(Product.nameLength), .printable, notBlank]
    static let description: [StringRule] = [.length(Product.descriptionLength), multiline]
    static let category: [StringRule] = [.length(Product.categoryLength), .printable, notBlank]
    static let searchText: [StringRule] = [.length(1...100), .printable]
}

extension FieldReader {
    /// A string field checked against every rule in `rules`, the first failing one named.
    mutating func text(_ name: String, in source: Source = .body, required: Bool = true,
                       _ rules: [StringRule]) -> String? {
        let combined = StringRule { text in rules.lazy.compactMap { $0.check(text) }.first }
        return string(name, in: source, required: required, combined)
    }

    /// POST and PUT bodies: `{sku, name, description?, category?, price_cents, currency?, stock}`.
    /// An absent currency is USD.
    mutating func productDraft() -> ProductDraft? {
        let sku = sku()
        let name = text("name", ProductRules.name)
        let description = text("description", required: false, ProductRules.description)
        let category = text("category", required: false, ProductRules.category)
        let cents = int64("price_cents", in: Money.centsRange)
        let currency = currency(required: false) ?? .default
        let stock = int64("stock", in: Product.stockRange)
        guard let sku, let name, let cents, let stock, let price = Money(cents: cents, currency: currency) else {
            return nil
        }
        return ProductDraft(sku: sku, name: name, description: description, category: category, price: price,
                            stock: stock)
    }
}

struct ProductBodyInput: RequestInput {
    let draft: ProductDraft

    init?(_ fields: inout FieldReader) {
        guard let draft = fields.productDraft() else { return nil }
        self.draft = draft
    }
}

struct ReplaceProductInput: RequestInput {
    let id: UUID
    let draft: ProductDraft

    init?(_ fields: inout FieldReader) {
        let id = fields.pathID()
        let draft = fields.productDraft()
        guard let id, let draft else { return nil }
        (self.id, self.draft) = (id, draft)
    }
}

/// PATCH: a JSON merge patch (RFC 7396). Members that are absent stay as they are, `null`
/// clears `description` or `category`, and `null` on a field every product has is a 422.
struct PatchProductInput: RequestInput {
    static let requiredFields = ["sku", "name", "price_cents", "currency", "stock"]
    let id: UUID
    let patch: ProductPatch

    init?(_ fields: inout FieldReader) {
        let id = fields.pathID()
        for field in PatchProductInput.requiredFields where fields.isExplicitNull(field) {
            fields.addIssue(field, "must not be null: every product has one")
        }
        var patch = ProductPatch()
        patch.sku = fields.sku(required: false)
        patch.name = fields.text("name", required: false, ProductRules.name)
        patch.description = fields.clearable("description", ProductRules.description)
        patch.category = fields.clearable("category", ProductRules.category)
        patch.priceCents = fields.int64("price_cents", required: false, in: Money.centsRange)
        patch.currency = fields.currency(required: false)
        patch.stock = fields.int64("stock", required: false, in: Product.stockRange)
        guard let id else { return nil }
        (self.id, self.patch) = (id, patch)
    }
}

extension FieldReader {
    /// An optional field of a merge patch: absent keeps it, `null` clears it.
    fileprivate mutating func clearable(_ name: String, _ rules: [StringRule]) -> ProductPatch.Change<String?> {
        if isExplicitNull(name) { return .set(nil) }
        return text(name, required: false, rules).map { .set($0) } ?? .keep
    }
}

/// `in_stock=true|false`.
enum StockFilter: String, CaseIterable, Sendable {
    case inStock = "true"
    case outOfStock = "false"
}

/// `GET /products?q=&category=&min_price=&max_price=&in_stock=&sort=&limit=&cursor=`: the
/// filters and the page in one read, so one 422 names every bad parameter.
struct ListProductsInput: RequestInput {
    let filter: ProductFilter
    let page: PageRequest<ProductSort>

    init?(_ fields: inout FieldReader) {
        let text = fields.text("q", in: .query, required: false, ProductRules.searchText)
        let category = fields.text("category", in: .query, required: false, ProductRules.category)
        let minPrice = fields.queryInt64("min_price", in: Money.centsRange)
        let maxPrice = fields.queryInt64("max_price", in: Money.centsRange)
        if let minPrice, let maxPrice, minPrice > maxPrice {
            fields.addIssue("min_price", "must not be greater than max_price")
        }
        let stock = fields.choice("in_stock", in: .query, required: false, StockFilter.self)
        let page = fields.page(default: ProductSort.createdAtDescending)
        guard let page else { return nil }
        filter = ProductFilter(text: text, category: category, minPriceCents: minPrice, maxPriceCents: maxPrice,
                               inStock: stock.map { $0 == .inStock })
        self.page = page
    }
}
