import Foundation

/// The rules of API.md, Products: SKUs unique among live products, versions that grow with
/// every change, conditional writes decided inside the write itself, and soft deletion.
/// Every change commits in one transaction with its event (`recordEvents`), so the outbox
/// can never disagree with the catalogue.
struct ProductsService: Sendable {
    let database: Database
    let products: ProductRepository
    let outbox: EventOutbox

    func create(_ draft: ProductDraft) async throws -> Product {
        try await database.transaction { tx in
            let product = try await products.insert(draft, on: tx)
            try await recordEvents([(.productCreated, product)], in: tx)
            return product
        }
    }

    /// A live product; a deleted one is as unknown as one that never existed.
    func product(_ id: UUID) async throws -> Product {
        guard let product = try await database.autocommit({ db in try await products.find(id: id, on: db) }) else {
            throw ProductError.notFound
        }
        return product
    }

    func list(filter: ProductFilter, sort: ProductSort, after: KeysetCursor?, limit: Int) async throws -> [Keyed<Product>] {
        try await database.autocommit { db in
            try await products.list(filter: filter, sort: sort, after: after, limit: limit, on: db)
        }
    }

    /// PUT: every writable field at once, when the version is one `expected` allows.
    func replace(_ id: UUID, with draft: ProductDraft, expected: ExpectedVersions) async throws -> Product {
        try await database.transaction { tx in
            guard let product = try await products.replace(id: id, with: draft, expected: expected, on: tx) else {
                throw try await missOrStale(id, on: tx)
            }
            try await recordEvents([(.productUpdated, product)], in: tx)
            return product
        }
    }

    /// PATCH: the merge patch is applied to the locked row, so nothing changes between
    /// reading the fields it keeps and writing the result.
    func update(_ id: UUID, with patch: ProductPatch, expected: ExpectedVersions) async throws -> Product {
        try await database.transaction { tx in
            guard let current = try await products.lock(id: id, on: tx) else { throw ProductError.notFound }
            guard expected.allows(current.version) else { throw ProductError.preconditionFailed }
            guard let draft = patch.applied(to: current.draft) else { throw ProductError.notFound }
            let pinned = ExpectedVersions(versions: [current.version])
            guard let product = try await products.replace(id: id, with: draft, expected: pinned, on: tx) else {
                throw ProductError.preconditionFailed
            }
            try await recordEvents([(.productUpdated, product)], in: tx)
            return product
        }
    }

    func delete(_ id: UUID, expected: ExpectedVersions) async throws {
        try await database.transaction { tx in
            guard let product = try await products.delete(id: id, expected: expected, on: tx) else {
                throw try await missOrStale(id, on: tx)
            }
            try await recordEvents([(.productDeleted, product)], in: tx)
        }
    }

    /// `storefront seed`: inserts the products whose SKU no live product has, in one
    /// transaction. Returns how many it created.
    func createMissing(_ drafts: [ProductDraft]) async throws -> Int {
        try await database.transaction { tx in
            var created: [(ProductEvent, Product)] = []
            for draft in drafts {
                guard let product = try await products.insertIfAbsent(draft, on: tx) else { continue }
                created.append((.productCreated, product))
            }
            try await recordEvents(created, in: tx)
            return created.count
        }
    }

    /// Why a conditional write touched no row: the product is gone (404), or it exists at
    /// a version `If-Match` did not name (412).
    private func missOrStale(_ id: UUID, on tx: Transaction) async throws -> ProductError {
        try await products.exists(id: id, on: tx) ? .preconditionFailed : .notFound
    }

    /// The one place a product change is announced: its outbox rows, in `tx`, so an event
    /// is written exactly when its change commits (API.md, Webhooks). `data` is the product
    /// as the API renders it after the change.
    func recordEvents(_ changes: [(ProductEvent, Product)], in tx: Transaction) async throws {
        guard !changes.isEmpty else { return }
        try await outbox.record(changes.map { OutboxDraft(type: $0.0.rawValue, data: $0.1.jsonBytes) }, in: tx)
    }
}
