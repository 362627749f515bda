import Foundation
import Postgres
import HTTPTestSupport
import Testing
import TestSupport
@testable import StorefrontApp

/// An `INSERT ... RETURNING` that returns no row is the server's fault, never the client's
/// 404. A trigger that silently skips the insert produces exactly that.
@Suite struct InsertReturningNoRowTests {
    enum Target: String, CaseIterable, Sendable {
        case users, apiKeys = "api_keys", refreshTokenFamilies = "refresh_token_families"
    }

    @Test(arguments: Target.allCases)
    func aSkippedInsertIs500Internal(_ target: Target) async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("owner@example.com")
            _ = try await api.db.query("CREATE FUNCTION test_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$")
            let response: HTTPResponseSummary
            switch target {
            case .users:
                _ = try await api.db.query("CREATE TRIGGER test_skip BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION test_skip()")
                response = .init(try await api.call("POST", "/api/v1/auth/register",
                                                    body: #"{"email":"new@example.com","password":"correct horse battery","name":"N"}"#))
            case .apiKeys:
                _ = try await api.db.query("CREATE TRIGGER test_skip BEFORE INSERT ON api_keys FOR EACH ROW EXECUTE FUNCTION test_skip()")
                response = .init(try await api.call("POST", "/api/v1/api-keys", body: #"{"name":"ci","scopes":["users:read"]}"#,
                                                    bearer: access))
            case .refreshTokenFamilies:
                _ = try await api.db.query("CREATE TRIGGER test_skip BEFORE INSERT ON refresh_token_families FOR EACH ROW EXECUTE FUNCTION test_skip()")
                response = .init(try await api.call("POST", "/api/v1/auth/login",
                                                    body: #"{"email":"owner@example.com","password":"correct horse battery"}"#))
            }
            #expect(response.status == 500, "\(response.body)")
            #expect(response.code == "INTERNAL")
            #expect(api.logs.all.contains { $0.contains("unhandled error") })
        }
    }
}

struct HTTPResponseSummary {
    let status: Int
    let code: String?
    let body: String
    init(_ response: HTTPTestSupport.RawHTTPClient.Response) {
        status = response.status
        code = errorCode(response)
        body = response.bodyText
    }
}

/// `/ready` compares the database with the migration files read once at start-up; it does
/// not read and hash every file on each call.
@Suite struct ReadinessFileTests {
    @Test func readyReadsTheMigrationFilesOnlyAtStartUp() async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestEnvironment.migrationsDirectory, to: directory)
        try await TestDatabase.with { database in
            try await withApp(environment: ["DATABASE_URL": database.conninfo, "MIGRATIONS_DIR": directory.path]) { app in
                #expect(try await app.get("/ready").status == 200)
                try FileManager.default.removeItem(at: directory)
                // Retried: under a full run's load the database check alone can time out for a
                // while. Files read per call would fail every retry (their directory is gone).
                var response = try await app.get("/ready")
                _ = await eventually(within: .seconds(60)) {
                    response = (try? await app.get("/ready")) ?? response
                    return response.status == 200
                }
                #expect(response.status == 200, "\(response.bodyText)")
                #expect((try RunningApp.json(response)["checks"] as? [String: String])?["migrations"] == "ok")
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func anUnreadableDirectoryAtStartUpKeepsReady503() async throws {
        try await TestDatabase.with { database in
            try await withApp(environment: ["DATABASE_URL": database.conninfo, "MIGRATIONS_DIR": "/nonexistent/migrations"]) { app in
                let response = try await app.get("/ready")
                #expect(response.status == 503)
                #expect((try RunningApp.json(response)["checks"] as? [String: String])?["migrations"] == "unknown")
            }
        }
    }
}
