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
    /// Each product whose stock changed announces it (`product.updated`): its version grew.
    func take(_ requests: [StockRequest], on tx: Transaction) async throws -> Bool {
        let changed = try await products.take(requests, on: tx)
        guard changed.count == requests.count else { return false }
        try await recordEvents(changed.map { (.productUpdated, $0) }, in: tx)
        return true
    }

    /// Returns the stock of a cancelled order; the live products announce their new stock.
    func giveBack(_ requests: [StockRequest], on tx: Transaction) async throws {
        try await recordEvents(products.giveBack(requests, on: tx).map { (.productUpdated, $0) }, in: tx)
    }
}
