import Foundation

/// POST /orders: `{items: [{product_id, quantity}]}`, 1...50 lines, quantities 1...1000,
/// each product once. Every bad line is named (`items[3].quantity`).
struct PlaceOrderInput: RequestInput {
    let lines: [OrderLine]

    init?(_ fields: inout FieldReader) {
        guard let objects = fields.objectArray("items", count: OrderLine.countRange) else { return nil }
        var lines: [OrderLine] = []
        var seen: Set<UUID> = []
        for (index, object) in objects.enumerated() {
            let prefix = "items[\(index)]"
            let productID = PlaceOrderInput.productID(object["product_id"], "\(prefix).product_id", &fields)
            let quantity = PlaceOrderInput.quantity(object["quantity"], "\(prefix).quantity", &fields)
            if let productID, !seen.insert(productID).inserted {
                fields.addIssue("\(prefix).product_id", "is repeated; list each product once")
                continue
            }
            if let productID, let quantity { lines.append(OrderLine(productID: productID, quantity: quantity)) }
        }
        guard lines.count == objects.count else { return nil }
        self.lines = lines
    }

    private static func productID(_ value: JSONValue?, _ field: String, _ fields: inout FieldReader) -> UUID? {
        guard let value, value != .null else { fields.addIssue(field, "is required"); return nil }
        guard case .string(let text) = value, let id = UUID(uuidString: text) else {
            fields.addIssue(field, "must be a UUID")
            return nil
        }
        return id
    }

    /// Digits only, within range: a fraction, an exponent or a number past 64 bits is an issue.
    private static func quantity(_ value: JSONValue?, _ field: String, _ fields: inout FieldReader) -> Int? {
        guard let value, value != .null else { fields.addIssue(field, "is required"); return nil }
        guard case .number(let text) = value, let number = Int(text), OrderLine.quantityRange.contains(number) else {
            fields.addIssue(field, "must be an integer between \(OrderLine.quantityRange.lowerBound) and \(OrderLine.quantityRange.upperBound)")
            return nil
        }
        return number
    }
}

/// GET /orders: `status=`, `created_after=`, `created_before=` (RFC 3339), an admin's
/// `user_id=`, and the page (`sort=` default `-created_at`).
struct ListOrdersInput: RequestInput {
    let filter: OrderFilter
    let page: PageRequest<OrderSort>

    init?(_ fields: inout FieldReader) {
        let status = fields.choice("status", in: .query, required: false, OrderStatus.self)
        let after = fields.timestamp("created_after", in: .query, required: false)
        let before = fields.timestamp("created_before", in: .query, required: false)
        let userID = fields.string("user_id", in: .query, required: false, .uuid).flatMap(UUID.init(uuidString:))
        let page = fields.page(default: OrderSort.createdAtDescending)
        guard let page, fields.issues.isEmpty else { return nil }
        self.page = page
        filter = OrderFilter(owner: nil, userID: userID, status: status, createdAfter: after, createdBefore: before)
    }
}

/// PATCH /orders/{id}: `{status}`.
struct ChangeOrderStatusInput: RequestInput {
    let id: UUID
    let status: OrderStatus

    init?(_ fields: inout FieldReader) {
        let id = fields.pathID()
        let status = fields.choice("status", OrderStatus.self)
        guard let id, let status else { return nil }
        self.id = id
        self.status = status
    }
}
