import Foundation
import HTTPTestSupport
@testable import StorefrontApp

/// A products test: the app on a fresh database and an admin's access token.
struct CatalogApp {
    let api: IdentityApp
    let admin: String

    /// Creates a product through the API and returns its JSON.
    @discardableResult
    func create(sku: String, name: String = "Widget", price: Int = 1000, stock: Int = 5, category: String? = nil,
                description: String? = nil, currency: String? = nil) async throws -> [String: Any] {
        var fields = [#""sku":"\#(sku)""#, #""name":"\#(name)""#, #""price_cents":\#(price)"#, #""stock":\#(stock)"#]
        if let category { fields.append(#""category":"\#(category)""#) }
        if let description { fields.append(#""description":"\#(description)""#) }
        if let currency { fields.append(#""currency":"\#(currency)""#) }
        let response = try await api.call("POST", "/api/v1/products", body: "{" + fields.joined(separator: ",") + "}",
                                          bearer: admin)
        guard response.status == 201 else { throw TestFailure("create \(sku): \(response.status) \(response.bodyText)") }
        return try RunningApp.json(response)
    }

    func get(_ path: String, headers: [String] = []) async throws -> RawHTTPClient.Response {
        try await api.call("GET", path, headers: headers)
    }

    /// Every page of `query` (without `limit`/`cursor`), `limit` at a time; `between` runs
    /// after each page (concurrent inserts).
    func walk(_ query: String, limit: Int, between: () async throws -> Void = {}) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String?
        for _ in 0..<1000 {
            let separator = query.isEmpty ? "" : "&"
            let path = "/api/v1/products?\(query)\(separator)limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let response = try await get(path)
            guard response.status == 200 else { throw TestFailure("\(path): \(response.status) \(response.bodyText)") }
            let json = try RunningApp.json(response)
            items += json["data"] as? [[String: Any]] ?? []
            cursor = (json["pagination"] as? [String: Any])?["next_cursor"] as? String
            guard cursor != nil else { return items }
            try await between()
        }
        throw TestFailure("\(query): more than 1000 pages")
    }
}

func withCatalog(_ body: (CatalogApp) async throws -> Void) async throws {
    // Patient pools and statements: the race tests queue four writers on two connections
    // and hold row locks until every writer waits on them; a loaded machine (or a sanitizer)
    // must not turn a wait into a 503 the test did not ask about. DB_POOL_SIZE 6: each of
    // the two loops has a shard of its own (ADR 0010: 2 + 2, and 2 for callers off the
    // loops), so two writers that land on the same loop still both hold a connection;
    // with the default 2 here, one loop had a single connection and the other none.
    try await withIdentityApp(environment: ["DB_POOL_SIZE": "6", "DB_POOL_TIMEOUT_MS": "30000",
                                            "DB_STATEMENT_TIMEOUT_MS": "120000"]) { api in
        try await body(CatalogApp(api: api, admin: try await api.admin().access))
    }
}

/// The `field`s of a 422's details, in order.
func issueFields(_ response: RawHTTPClient.Response) -> [String] {
    let details = ((try? RunningApp.json(response))?["error"] as? [String: Any])?["details"] as? [[String: Any]]
    return details?.compactMap { $0["field"] as? String } ?? []
}

extension Dictionary where Key == String, Value == Any {
    var id: String { self["id"] as? String ?? "" }
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? { self[key] as? Int }
}
