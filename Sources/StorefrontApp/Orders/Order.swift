import Foundation

/// An order (API.md, Orders): what a customer bought, at the prices of that moment.
/// `version` starts at 1 and grows by one with every change; `ETag` and `If-Match` are made of it.
struct Order: Sendable, Equatable {
    let id: UUID
    let userID: UUID
    var status: OrderStatus
    let items: [OrderItem]
    let totalCents: Int64
    let currency: String
    var version: Int64
    let createdAt: Date
    var updatedAt: Date
}

/// One line, snapshotted from the product when the order was placed.
struct OrderItem: Sendable, Equatable {
    let productID: UUID
    let sku: String
    let name: String
    let unitPriceCents: Int64
    let quantity: Int
    let lineTotalCents: Int64
}

/// `pending -> paid -> shipped -> delivered`, `pending|paid -> cancelled`.
enum OrderStatus: String, Sendable, CaseIterable {
    case pending, paid, shipped, delivered, cancelled

    /// The statuses an order may move to from this one.
    var successors: Set<OrderStatus> {
        switch self {
        case .pending: [.paid, .cancelled]
        case .paid: [.shipped, .cancelled]
        case .shipped: [.delivered]
        case .delivered, .cancelled: []
        }
    }

    /// The statuses from which an order may move to this one.
    var predecessors: [OrderStatus] { OrderStatus.allCases.filter { $0.successors.contains(self) } }
}

/// A line of POST /orders, validated: a product and a quantity of 1...1000.
struct OrderLine: Sendable, Equatable {
    static let quantityRange = 1...1000
    static let countRange = 1...50
    let productID: UUID
    let quantity: Int
}

/// An order about to be inserted: its lines priced from the locked products, its total
/// summed with overflow checks (an overflow is a 422, never a trap).
struct OrderDraft: Sendable, Equatable {
    let userID: UUID
    let items: [OrderItem]
    let totalCents: Int64
    let currency: String

    /// The lines priced from `products` (each line's product is among them). Nil with the
    /// issues when the lines do not share one currency or a total leaves 64 bits.
    static func priced(userID: UUID, lines: [OrderLine],
                       products: [UUID: StockedProduct]) -> Result<OrderDraft, OrderError> {
        var items: [OrderItem] = []
        var total: Int64 = 0
        var issues: [FieldIssue] = []
        let currencies = Set(products.values.map(\.price.currency.value))
        for (index, line) in lines.enumerated() {
            guard let product = products[line.productID] else { continue }
            if currencies.count > 1 {
                issues.append(FieldIssue(field: "items[\(index)].product_id",
                                         issue: "is priced in \(product.price.currency.value); all items must share one currency"))
            }
            let (lineTotal, lineOverflow) = product.price.cents.multipliedReportingOverflow(by: Int64(line.quantity))
            let (sum, sumOverflow) = total.addingReportingOverflow(lineTotal)
            if lineOverflow || sumOverflow {
                issues.append(FieldIssue(field: "items[\(index)].quantity", issue: "makes the total too large"))
                continue
            }
            total = sum
            items.append(OrderItem(productID: product.id, sku: product.sku.value, name: product.name,
                                   unitPriceCents: product.price.cents, quantity: line.quantity,
                                   lineTotalCents: lineTotal))
        }
        guard issues.isEmpty, let currency = currencies.first else { return .failure(.invalidLines(issues)) }
        return .success(OrderDraft(userID: userID, items: items, totalCents: total, currency: currency))
    }
}

/// The sort orders of GET /orders; each pages on (key, id). Newest first by default.
enum OrderSort: String, Sendable, CaseIterable {
    case createdAtDescending = "-created_at"
    case createdAt = "created_at"
    case total = "total"
    case totalDescending = "-total"
}

/// GET /orders filters, validated. `owner` is who the caller may see (nil: an admin,
/// everyone); `userID` the admin's `user_id=` filter.
struct OrderFilter: Sendable, Equatable {
    var owner: UUID?
    var userID: UUID?
    var status: OrderStatus?
    var createdAfter: Date?
    var createdBefore: Date?
}

/// The moments an order change must be told to the rest of the system (the `order.*`
/// event types of API.md, Webhooks).
enum OrderEvent: String, Sendable {
    case created = "order.created"
    case paid = "order.paid"
    case shipped = "order.shipped"
    case delivered = "order.delivered"
    case cancelled = "order.cancelled"

    /// The event of reaching `status`.
    init(reaching status: OrderStatus) {
        switch status {
        case .pending: self = .created
        case .paid: self = .paid
        case .shipped: self = .shipped
        case .delivered: self = .delivered
        case .cancelled: self = .cancelled
        }
    }
}
