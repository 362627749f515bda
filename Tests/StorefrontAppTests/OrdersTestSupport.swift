import Foundation
import HTTPTestSupport
import Postgres
import TestSupport
import Testing
@testable import StorefrontApp

/// Environment for order tests: a small pool that waits long enough for the concurrency
/// tables (twenty requests queue for three connections), the API otherwise as deployed.
let ordersEnvironment = ["DB_POOL_SIZE": "3", "DB_POOL_TIMEOUT_MS": "30000"]

func withOrdersApp(_ body: (IdentityApp) async throws -> Void) async throws {
    try await withIdentityApp(environment: ordersEnvironment, body)
}

extension IdentityApp {
    /// A product straight into the catalogue table; returns its id.
    @discardableResult
    func product(_ sku: String, priceCents: Int64 = 1_000, stock: Int64 = 10, currency: String = "USD",
                 name: String? = nil) async throws -> String {
        let row = try await db.query(
            "INSERT INTO products (sku, name, price_cents, currency, stock) VALUES ($1, $2, $3, $4, $5) RETURNING id::text AS id",
            [sku, name ?? "Product \(sku)", priceCents, currency, stock]).rows.first
        return try #require(row).decode("id")
    }

    func stock(_ productID: String) async throws -> Int {
        try #require(try await db.query("SELECT stock FROM products WHERE id = $1::uuid", [productID]).rows.first)
            .decode("stock")
    }

    func count(_ table: SQL) async throws -> Int {
        try #require(try await db.query(table).rows.first).decode("n")
    }

    /// Users inserted directly with signed access tokens: cheaper than registering twenty.
    func buyers(_ count: Int, role: String = "customer") async throws -> [(id: String, access: String)] {
        var result: [(id: String, access: String)] = []
        for index in 0..<count {
            let row = try await db.query(
                "INSERT INTO users (email, name, password_hash, role) VALUES ($1, 'Buyer', 'x', $2) RETURNING id::text AS id",
                ["buyer\(index)-\(UUID().uuidString.prefix(8))@example.com", role]).rows.first
            let id: String = try #require(row).decode("id")
            result.append((id, try testSigner().sign(claims(sub: id, role: role))))
        }
        return result
    }

    /// POST /orders with `lines` as (product id, quantity) and a fresh key unless given.
    /// A patient read timeout: concurrent orders for the same products queue on their row
    /// locks, and under ThreadSanitizer with every suite running the last of twelve waited
    /// more than 10 s. A hang still fails, a minute later.
    func order(_ lines: [(String, Int)], bearer: String? = nil, apiKey: String? = nil,
               key: String? = UUID().uuidString) async throws -> RawHTTPClient.Response {
        let items = lines.map { #"{"product_id":"\#($0.0)","quantity":\#($0.1)}"# }.joined(separator: ",")
        return try await call("POST", "/api/v1/orders", body: #"{"items":[\#(items)]}"#, bearer: bearer, apiKey: apiKey,
                              headers: key.map { ["Idempotency-Key: \($0)"] } ?? [], timeoutSeconds: 60)
    }

    /// Places an order that must succeed; returns its JSON.
    func placed(_ lines: [(String, Int)], bearer: String) async throws -> [String: Any] {
        let response = try await order(lines, bearer: bearer)
        guard response.status == 201 else { throw TestFailure("order: \(response.status) \(response.bodyText)") }
        return try RunningApp.json(response)
    }
}

/// A pending order of a fresh customer for `quantity` of a fresh product, and an admin.
struct PendingOrder {
    let id: String
    let customer: String
    let admin: String
    let product: String
}

extension IdentityApp {
    func pendingOrder(quantity: Int, stock: Int64 = 10) async throws -> PendingOrder {
        let (_, access) = try await customer("k@example.com")
        let admin = try await admin()
        let product = try await product("MUG-1", stock: stock)
        let id = try #require(try await placed([(product, quantity)], bearer: access)["id"] as? String)
        return PendingOrder(id: id, customer: access, admin: admin.access, product: product)
    }
}

/// The `details` of an error envelope as (field, issue) pairs.
func errorDetails(_ response: RawHTTPClient.Response) -> [(field: String, issue: String)] {
    let json = try? RunningApp.json(response)
    let details = (json?["error"] as? [String: Any])?["details"] as? [[String: Any]] ?? []
    return details.map { ($0["field"] as? String ?? "", $0["issue"] as? String ?? "") }
}
