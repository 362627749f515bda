import Foundation

/// How a product is shown: the API's responses and the outbox's event `data` use this one
/// rendering, so a webhook carries the resource exactly as GET returns it.
extension Product: JSONRendering {
    var entityTag: EntityTag { .resource(id: id, version: version) }

    /// API.md, Products: `{id, sku, name, description, category, price_cents, currency,
    /// stock, version, created_at, updated_at}`.
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.uuid(id)
        json.key("sku"); json.string(sku.value)
        json.key("name"); json.string(name)
        json.key("description"); json.optionalString(description)
        json.key("category"); json.optionalString(category)
        json.key("price_cents"); json.integer(Int(price.cents))
        json.key("currency"); json.string(price.currency.value)
        json.key("stock"); json.integer(Int(stock))
        json.key("version"); json.integer(Int(version))
        json.key("created_at"); json.timestamp(createdAt)
        json.key("updated_at"); json.timestamp(updatedAt)
        json.endObject()
    }
}
