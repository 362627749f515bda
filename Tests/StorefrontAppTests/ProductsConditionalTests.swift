import Foundation
import Testing
import TestSupport
@testable import StorefrontApp

/// API.md, Conditional requests and caching, for products: strong ETags, 304 on
/// If-None-Match, 412 on a stale If-Match, and who may cache what.
@Suite struct ProductsConditionalTests {
    @Test func ifNoneMatchGives304WithTheTagRepeatedAndNoBody() async throws {
        try await withCatalog { catalog in
            let product = try await catalog.create(sku: "ETAG-1")
            let path = "/api/v1/products/\(product.id)"
            let tag = "\"v1-\(product.id)\""
            let rows: [(label: String, header: String, status: Int)] = [
                ("exact", "If-None-Match: \(tag)", 304),
                ("weak comparison", "If-None-Match: W/\(tag)", 304),
                ("star", "If-None-Match: *", 304),
                ("in a list", "If-None-Match: \"other\", \(tag)", 304),
                ("list without spaces", "If-None-Match: \"a\",\(tag)", 304),
                ("stale", "If-None-Match: \"v0-\(product.id)\"", 200),
                ("another product's", "If-None-Match: \"v1-\(UUID().uuidString.lowercased())\"", 200),
                ("malformed", "If-None-Match: v1", 400),
                ("unterminated", "If-None-Match: \"v1", 400),
            ]
            for row in rows {
                let response = try await catalog.get(path, headers: [row.header])
                #expect(response.status == row.status, "\(row.label): \(response.bodyText)")
                if row.status == 304 {
                    #expect(response.body.isEmpty, "\(row.label)")
                    #expect(response.header("ETag") == tag, "\(row.label)")
                    #expect(response.header("Cache-Control") == "public, max-age=60", "\(row.label)")
                }
            }
            // Two header lines are one list (RFC 9110 §5.3).
            let twoLines = try await catalog.get(path, headers: ["If-None-Match: \"x\"", "If-None-Match: \(tag)"])
            #expect(twoLines.status == 304)
            // After a change the old tag no longer matches.
            _ = try await catalog.api.call("PATCH", path, body: #"{"stock":1}"#, bearer: catalog.admin)
            let changed = try await catalog.get(path, headers: ["If-None-Match: \(tag)"])
            #expect(changed.status == 200 && changed.header("ETag") == "\"v2-\(product.id)\"")
        }
    }

    @Test func listPagesHaveStrongETagsThatChangeWithTheirContent() async throws {
        try await withCatalog { catalog in
            try await catalog.create(sku: "LIST-1")
            let path = "/api/v1/products?sort=price"
            let first = try await catalog.get(path)
            let tag = try #require(first.header("ETag"))
            #expect(!tag.hasPrefix("W/"))
            #expect(try await catalog.get(path).header("ETag") == tag)
            let notModified = try await catalog.get(path, headers: ["If-None-Match: \(tag)"])
            #expect(notModified.status == 304 && notModified.body.isEmpty && notModified.header("ETag") == tag)
            // Another page (other parameters) has another tag.
            #expect(try await catalog.get("/api/v1/products?sort=name").header("ETag") != nil)
            try await catalog.create(sku: "LIST-2")
            let changed = try await catalog.get(path, headers: ["If-None-Match: \(tag)"])
            #expect(changed.status == 200 && changed.header("ETag") != tag)
        }
    }

    @Test func ifMatchOnWrites412WhenStaleAndStarMatchesAny() async throws {
        try await withCatalog { catalog in
            let product = try await catalog.create(sku: "MATCH-1")
            let path = "/api/v1/products/\(product.id)"
            let v1 = "\"v1-\(product.id)\""
            let put = #"{"sku":"MATCH-1","name":"Put","price_cents":1,"stock":1}"#
            let rows: [(label: String, method: String, body: String?, ifMatch: String, status: Int)] = [
                ("PATCH current", "PATCH", #"{"name":"Two"}"#, v1, 200),
                ("PATCH stale", "PATCH", #"{"name":"Three"}"#, v1, 412),
                ("PUT stale", "PUT", put, v1, 412),
                ("DELETE stale", "DELETE", nil, v1, 412),
                ("weak tag never matches (strong comparison)", "PATCH", #"{"name":"X"}"#, "W/\"v2-\(product.id)\"", 412),
                ("another product's tag", "PATCH", #"{"name":"X"}"#, "\"v2-\(UUID().uuidString.lowercased())\"", 412),
                ("malformed", "PATCH", #"{"name":"X"}"#, "v2", 400),
                ("list with the current one", "PUT", put, "\"x\", \"v2-\(product.id)\"", 200),
                ("the gzip variant's tag", "PATCH", #"{"stock":4}"#, "\"v3-\(product.id)-gzip\"", 200),
                ("star", "PATCH", #"{"name":"Star"}"#, "*", 200),
                ("DELETE current", "DELETE", nil, "\"v5-\(product.id)\"", 204),
                ("DELETE gone", "DELETE", nil, "*", 404),
            ]
            for row in rows {
                let response = try await catalog.api.call(row.method, path, body: row.body, bearer: catalog.admin,
                                                          headers: ["If-Match: \(row.ifMatch)"])
                #expect(response.status == row.status, "\(row.label): \(response.bodyText)")
                if row.status == 412 { #expect(errorCode(response) == "PRECONDITION_FAILED", "\(row.label)") }
            }
            let row = try #require(try await catalog.api.db.query(
                "SELECT name, version FROM products WHERE id = $1::uuid", [product.id]).rows.first)
            #expect(try row.decode("name", as: String.self) == "Star" && row.decode("version", as: Int.self) == 6)
        }
    }

    /// Two writers holding the same ETag: exactly one wins, the other gets 412, whichever
    /// runs first. The version is compared inside the UPDATE, not read beforehand.
    @Test func concurrentConditionalWritesLetExactlyOneWin() async throws {
        try await withCatalog { catalog in
            for method in ["PUT", "PATCH"] {
                let product = try await catalog.create(sku: "RACE-\(method)")
                let path = "/api/v1/products/\(product.id)"
                let tag = "\"v1-\(product.id)\""
                let body = method == "PUT" ? #"{"sku":"RACE-\#(method)","name":"N","price_cents":2,"stock":2}"#
                    : #"{"stock":2}"#
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            try await catalog.api.call(method, path, body: body, bearer: catalog.admin,
                                                       headers: ["If-Match: \(tag)"]).status
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.sorted() == [200, 412, 412, 412], "\(method)")
                let after = try RunningApp.json(try await catalog.get(path))
                #expect(after.int("version") == 2, "\(method)")
            }
        }
    }

    /// The same race made certain: the row is locked while both writers, holding the same
    /// ETag, have read whatever they read and wait to write; then the lock goes. A version
    /// check done before the write (read, compare, write) lets both through here.
    @Test func aConditionalWriteComparesTheVersionInsideTheWrite() async throws {
        try await withCatalog { catalog in
            for method in ["PUT", "PATCH", "DELETE"] {
                let product = try await catalog.create(sku: "LOCKED-\(method)")
                let path = "/api/v1/products/\(product.id)"
                let body: String? = switch method {
                case "PUT": #"{"sku":"LOCKED-\#(method)","name":"N","price_cents":2,"stock":2}"#
                case "PATCH": #"{"stock":2}"#
                default: nil
                }
                let tag = "\"v1-\(product.id)\""
                // The writers wait on the lock until both are queued, which a sanitizer on a
                // loaded machine can stretch past the client's usual 10 s read timeout.
                let write: @Sendable () -> Task<Int, any Error> = {
                    Task { try await catalog.api.call(method, path, body: body, bearer: catalog.admin,
                                                      headers: ["If-Match: \(tag)"], timeoutSeconds: 120).status }
                }
                let writers = try await catalog.api.db.withTransaction { connection in
                    _ = try await connection.query("SELECT 1 FROM products WHERE id = $1::uuid FOR UPDATE", [product.id])
                    let writers = [write(), write()]
                    let bothWaiting = try await eventually(within: .seconds(60)) {
                        let row = try await catalog.api.db.query("""
                            SELECT count(*)::int AS n FROM pg_stat_activity
                            WHERE datname = current_database() AND wait_event_type = 'Lock'
                            """).rows.first
                        return try row?.decode("n", as: Int.self) == 2
                    }
                    #expect(bothWaiting, "\(method)")
                    return writers
                }
                var statuses: [Int] = []
                for writer in writers { statuses.append(try await writer.value) }
                // The second DELETE finds the product gone: 404, as for any deleted product.
                #expect(statuses.sorted() == (method == "DELETE" ? [204, 404] : [200, 412]), "\(method)")
            }
        }
    }

    @Test func anonymousReadsArePublicForAMinuteAndAuthenticatedOnesNoStore() async throws {
        try await withCatalog { catalog in
            let product = try await catalog.create(sku: "CACHE-1")
            for path in ["/api/v1/products", "/api/v1/products/\(product.id)"] {
                #expect(try await catalog.get(path).header("Cache-Control") == "public, max-age=60", "\(path)")
                let signedIn = try await catalog.api.call("GET", path, bearer: catalog.admin)
                #expect(signedIn.headerValues("Cache-Control") == ["no-store"], "\(path)")
                #expect(signedIn.header("ETag") != nil, "\(path)")
            }
            let head = try await catalog.api.call("HEAD", "/api/v1/products/\(product.id)")
            #expect(head.status == 200 && head.header("ETag") == "\"v1-\(product.id)\"")
            let written = try await catalog.api.call("PATCH", "/api/v1/products/\(product.id)", body: #"{"stock":3}"#,
                                                     bearer: catalog.admin)
            #expect(written.headerValues("Cache-Control") == ["no-store"])
        }
    }
}

/// The tag grammar of RFC 9110 §8.8.3 and the comparisons of §8.8.3.2, without a server.
@Suite struct EntityTagTests {
    static let id = UUID()

    @Test func parsesStarListsAndWeakTagsAndRefusesTheRest() {
        let rows: [(String, EntityTagCondition?)] = [
            ("*", .any), (" * ", .any),
            ("\"a\"", .tags([EntityTag(opaque: "a")])),
            ("W/\"a\", \"b\"", .tags([EntityTag(opaque: "a", isWeak: true), EntityTag(opaque: "b")])),
            ("\"a,b\"", .tags([EntityTag(opaque: "a,b")])),
            (", \"a\" ,,", .tags([EntityTag(opaque: "a")])),
            ("\"\"", .tags([EntityTag(opaque: "")])),
            ("", nil), ("a", nil), ("\"a", nil), ("\"a\" \"b\"", nil), ("*, \"a\"", nil), ("w/\"a\"", nil),
            ("\"a b\"", nil), ("\"a\u{7F}\"", nil),
        ]
        for (text, expected) in rows {
            #expect(EntityTagCondition.parse(text) == expected, "\(text)")
        }
    }

    @Test func resourceTagsNameTheirVersionOnlyForTheirOwnId() {
        let tag = EntityTag.resource(id: EntityTagTests.id, version: 42)
        #expect(tag.version(for: EntityTagTests.id) == 42)
        #expect(tag.version(for: UUID()) == nil)
        #expect(EntityTag(opaque: tag.opaque, isWeak: true).version(for: EntityTagTests.id) == nil)
        #expect(EntityTagCondition.tags([tag]).expectedVersions(of: EntityTagTests.id) == ExpectedVersions(versions: [42]))
        #expect(EntityTagCondition.any.expectedVersions(of: EntityTagTests.id) == .any)
        #expect(EntityTagCondition.tags([.content([1])]).expectedVersions(of: EntityTagTests.id).allows(1) == false)
        // A gzip variant's tag is another tag, yet names the same version and content.
        let gzip = tag.coded("gzip")
        #expect(gzip != tag && gzip.headerValue == "\"\(tag.opaque)-gzip\"")
        #expect(gzip.version(for: EntityTagTests.id) == 42 && gzip.weaklyMatches(tag))
        #expect(!EntityTag.content([1]).coded("gzip").weaklyMatches(.content([2])))
        #expect(EntityTag.content([1, 2]) == EntityTag.content([1, 2]))
        #expect(EntityTag.content([1, 2]) != EntityTag.content([2, 1]))
    }
}

/// A write that waits on a lock longer than `DB_STATEMENT_TIMEOUT_MS` is cancelled by the
/// server (SQLSTATE 57014): the database could not serve it in time, which is a 503 the
/// client may retry, not a 500, and nothing of the write remains.
@Suite struct StatementTimeoutTests {
    @Test func aWriteCancelledByTheStatementTimeoutIs503AndChangesNothing() async throws {
        try await withIdentityApp(environment: ["DB_STATEMENT_TIMEOUT_MS": "1000"]) { api in
            let catalog = CatalogApp(api: api, admin: try await api.admin().access)
            let product = try await catalog.create(sku: "TIMEOUT-1", stock: 5)
            let path = "/api/v1/products/\(product.id)"
            let response = try await api.db.withTransaction { connection in
                _ = try await connection.query("SELECT 1 FROM products WHERE id = $1::uuid FOR UPDATE", [product.id])
                return try await api.call("PATCH", path, body: #"{"stock":9}"#, bearer: catalog.admin)
            }
            #expect(response.status == 503, "\(response.bodyText)")
            #expect(response.header("Retry-After") != nil)
            #expect(errorCode(response) == "UNAVAILABLE")
            let after = try RunningApp.json(try await catalog.get(path))
            #expect(after["stock"] as? Int == 5)
            #expect(after["version"] as? Int == 1)
        }
    }
}
