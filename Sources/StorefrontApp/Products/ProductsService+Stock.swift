import Foundation

/// What Orders asks of the catalogue, always inside the order's own transaction, so stock
/// and the order that took it commit together (ADR 0003: a service that joins another
/// domain's transaction takes the `Transaction`).
extension ProductsService {
    /// The live products among `ids`, their rows locked (in id order) until `tx` ends; a
    /// product missing from the answer is unknown or deleted.
    func lockForSale(_ ids: [UUID], on tx: Transaction) async throws -> [StockedProduct] {
        try await products.lockForSale(ids: ids, on: tx)
    }

    /// Takes stock of products locked by `lockForSale`. False when any is short: the
    /// caller must then roll back, and the database's `stock >= 0` check is the backstop.
    func take(_ requests: [StockRequest], on tx: Transaction) async throws -> Bool {
        try await products.take(requests, on: tx) == requests.count
    }

    /// Returns the stock of a cancelled order.
    func giveBack(_ requests: [StockRequest], on tx: Transaction) async throws {
        try await products.giveBack(requests, on: tx)
    }
}
