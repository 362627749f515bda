import Foundation

/// A quantity of one product to take from stock or give back: what Orders asks of the
/// catalogue (ADR 0003: the two domains meet through shared values, not each other's rows).
struct StockRequest: Sendable, Equatable {
    let productID: UUID
    let quantity: Int64
}

/// A live product while its row is locked for a sale: what an order snapshots (SKU, name,
/// price) and how much it may take.
struct StockedProduct: Sendable, Equatable {
    let id: UUID
    let sku: Sku
    let name: String
    let price: Money
    let stock: Int64
}
