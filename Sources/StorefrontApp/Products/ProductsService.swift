import Foundation

/// The rules of API.md, Products: SKUs unique among live products, versions that grow with
/// every change, conditional writes decided inside the write itself, and soft deletion.
/// Every change commits in one transaction with its event (`recordEvent`), so the outbox
/// the webhooks add can never disagree with the catalogue.
struct ProductsService: Sendable {
    let database: Database
    let products: ProductRepository

    func create(_ draft: ProductDraft) async throws -> Product {
        try await database.transaction { tx in
            let product = try await products.insert(draft, on: tx)
            try await recordEvent(.productCreated, product, in: tx)
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
            try await recordEvent(.productUpdated, product, in: tx)
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
            try await recordEvent(.productUpdated, product, in: tx)
            return product
        }
    }

    func delete(_ id: UUID, expected: ExpectedVersions) async throws {
        try await database.transaction { tx in
            guard let product = try await products.delete(id: id, expected: expected, on: tx) else {
                throw try await missOrStale(id, on: tx)
            }
            try await recordEvent(.productDeleted, product, in: tx)
        }
    }

    /// `storefront seed`: inserts the products whose SKU no live product has, in one
    /// transaction. Returns how many it created.
    func createMissing(_ drafts: [ProductDraft]) async throws -> Int {
        try await database.transaction { tx in
            var created = 0
            for draft in drafts {
                guard let product = try await products.insertIfAbsent(draft, on: tx) else { continue }
                try await recordEvent(.productCreated, product, in: tx)
                created += 1
            }
            return created
        }
    }

    /// Why a conditional write touched no row: the product is gone (404), or it exists at
    /// a version `If-Match` did not name (412).
    private func missOrStale(_ id: UUID, on tx: Transaction) async throws -> ProductError {
        try await products.exists(id: id, on: tx) ? .preconditionFailed : .notFound
    }

    /// The one place a product change is announced. Today it does nothing; the webhooks
    /// issue adds an outbox row here, in `tx`, so an event is written exactly when its
    /// change commits (API.md, Webhooks: a rolled-back change never yields one). It takes
    /// the product as the API renders it after the change, which is the event's `data`.
    private func recordEvent(_ event: ProductEvent, _ product: Product, in tx: Transaction) async throws {
        _ = (event, product, tx)
    }
}
