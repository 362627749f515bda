import Foundation

/// How an order is shown: the API's responses and the outbox's event `data` use this one
/// rendering, so a webhook carries the resource exactly as GET returns it.
extension Order: JSONRendering {
    var entityTag: EntityTag { .resource(id: id, version: version) }

    /// API.md, Orders: `{id, user_id, status, items: [{product_id, sku, name,
    /// unit_price_cents, quantity, line_total_cents}], total_cents, currency, version,
    /// created_at, updated_at}`.
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.uuid(id)
        json.key("user_id"); json.uuid(userID)
        json.key("status"); json.string(status.rawValue)
        json.key("items")
        json.beginArray()
        for item in items {
            json.beginObject()
            json.key("product_id"); json.uuid(item.productID)
            json.key("sku"); json.string(item.sku)
            json.key("name"); json.string(item.name)
            json.key("unit_price_cents"); json.integer(Int(item.unitPriceCents))
            json.key("quantity"); json.integer(item.quantity)
            json.key("line_total_cents"); json.integer(Int(item.lineTotalCents))
            json.endObject()
        }
        json.endArray()
        json.key("total_cents"); json.integer(Int(totalCents))
        json.key("currency"); json.string(currency)
        json.key("version"); json.integer(Int(version))
        json.key("created_at"); json.timestamp(createdAt)
        json.key("updated_at"); json.timestamp(updatedAt)
        json.endObject()
    }
}
