import Locking
import Foundation
import Synchronization
import Testing
@testable import StorefrontApp

/// Issue 9: GET /users/me with an access token costs one statement, the auth link's read
/// that proves the account may act, whose row the handler then answers with; before, the
/// handler read the same row again. Counted by an observer on the app's `Database` over
/// whole HTTP requests (as `OrdersStatementCountTests` counts a service's), so every
/// statement of the auth link and of the handler is seen. Refusals stay one statement too:
/// the read that answers also refuses.
@Suite struct UsersMeStatementCountTests {
    enum Caller: String, CaseIterable, Sendable {
        case customer, admin, disabledAfterLogin, deletedAfterLogin
    }

    @Test(arguments: Caller.allCases)
    func ownProfileCostsOneStatement(_ caller: Caller) async throws {
        let statements = Locked<[String]>([])
        let observer = StatementObserver { sql in statements.withLock { $0.append(sql.description) } }
        try await withIdentityApp(statementObserver: observer) { app in
            let (id, access) = caller == .admin ? try await app.admin() : try await app.customer("me@example.com")
            switch caller {
            case .customer, .admin: break
            case .disabledAfterLogin:
                _ = try await app.db.query("UPDATE users SET disabled = true WHERE id = $1::uuid", [id])
            case .deletedAfterLogin:
                _ = try await app.db.query("UPDATE users SET deleted_at = now(), disabled = true WHERE id = $1::uuid",
                                           [id])
            }
            let refused = caller == .disabledAfterLogin || caller == .deletedAfterLogin
            for _ in 0..<3 {
                statements.withLock { $0 = [] }
                let response = try await app.call("GET", "/api/v1/users/me", bearer: access)
                #expect(response.status == (refused ? 401 : 200), "\(response.bodyText)")
                if !refused {
                    let json = try RunningApp.json(response)
                    #expect(json["id"] as? String == id)
                    #expect(json["role"] as? String == (caller == .admin ? "admin" : "customer"))
                }
                let seen = statements.withLock { $0 }
                #expect(seen.count == 1, "\(seen)")
            }
        }
    }
}
