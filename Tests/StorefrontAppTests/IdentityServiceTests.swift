@testable import Crypto
import Foundation
import Postgres
import Synchronization
import Testing
import TestSupport
@testable import StorefrontApp

/// The identity services built directly on a test database, for interleavings an HTTP test
/// cannot produce deterministically (a password change between a login's two steps).
struct IdentityServices: Sendable {
    let domains: Domains
    let pool: PostgresPool
    var auth: SessionsService { domains.sessions.service }
    var users: UsersService { domains.users.service }
    var apiKeys: APIKeysService { domains.apiKeys.service }

    init(pool: PostgresPool, conninfo: String, hashing: PasswordHashingPool) throws {
        let configuration = try AppConfiguration.fromEnvironment(
            ["DATABASE_URL": conninfo, "JWT_SECRET": testJWTSecret, "APP_ENV": "test"], cores: 2)
        domains = try Domains(database: Database(pool: pool), configuration: configuration, hashing: hashing,
                              logger: Logger(sink: MemoryLogSink(), minimumLevel: .debug))
        self.pool = pool
    }

    static func cheapPool(threads: Int = 2, maxQueueLength: Int = 256, maxPerClient: Int = 32) -> PasswordHashingPool {
        PasswordHashingPool(hasher: RunningApp.cheapHasher, threadCount: threads, maxQueueLength: maxQueueLength,
                            maxQueuedPerClient: maxPerClient)
    }

    @discardableResult
    func register(_ email: String, password: String = "correct horse battery") async throws -> User {
        guard let email = Email(email), let password = Password(password), let name = PersonName("Test User") else {
            throw TestFailure("bad test input")
        }
        return try await users.register(email: email, password: password, name: name, client: "test")
    }

    func sessionCount() async throws -> Int {
        try #require(try await pool.query("SELECT count(*)::int AS n FROM refresh_token_families").rows.first)
            .decode("n", as: Int.self)
    }
}

func withIdentityServices(hashing: PasswordHashingPool = IdentityServices.cheapPool(),
                          _ body: (IdentityServices) async throws -> Void) async throws {
    try await TestDatabase.with(poolSize: 3) { database in
        try await body(try IdentityServices(pool: database.pool, conninfo: database.conninfo, hashing: hashing))
    }
    hashing.shutDown()
}

/// A login verifies the password, then starts a session in a transaction of its own. If the
/// credentials change in between, the session must not start: it would be a 30-day refresh
/// token for a password that no longer works.
@Suite struct LoginRaceTests {
    enum Change: String, CaseIterable, Sendable {
        case passwordChanged, disabled, deleted, hashUpgraded
    }

    @Test(arguments: Change.allCases)
    func aChangeBetweenVerificationAndSessionDecidesTheLogin(_ change: Change) async throws {
        try await withIdentityServices { services in
            let admin = try await services.register("admin@example.com")
            _ = try await services.pool.query("UPDATE users SET role = 'admin' WHERE id = $1", [admin.id])
            let user = try await services.register("race@example.com")
            let verified = try await services.auth.verifyLogin(email: "race@example.com", password: "correct horse battery",
                                                               otp: nil, client: "test")
            switch change {
            case .passwordChanged:
                _ = try await services.users.updateOwnProfile(
                    Principal(userID: user.id, role: .customer, credential: .accessToken), name: nil,
                    newPassword: Password("a brand new password"), currentPassword: "correct horse battery", client: "test")
            case .disabled:
                _ = try await services.users.update(user.id, role: nil, disabled: true)
            case .deleted:
                try await services.users.delete(user.id)
            case .hashUpgraded:
                // Not a change of credentials: a concurrent login storing a stronger hash.
                _ = try await services.pool.query("UPDATE users SET password_hash = password_hash || '' WHERE id = $1",
                                                  [user.id])
            }
            if change == .hashUpgraded {
                _ = try await services.auth.startSession(for: verified)
                #expect(try await services.sessionCount() == 1)
            } else {
                await #expect(throws: UserError.invalidCredentials) { try await services.auth.startSession(for: verified) }
                #expect(try await services.sessionCount() == 0)
            }
        }
    }
}

final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}

/// Writes of a password hash that were decided on a stale read must not land: a rehash of
/// the old password after a change would make the old password work again, and a second
/// change verified against the old password would override the first.
@Suite struct PasswordWriteRaceTests {
    @Test func staleHashWritesAreDropped() async throws {
        try await withIdentityServices { services in
            let user = try await services.register("stale@example.com")
            let repository = UserRepository()
            let stale = try #require(try await repository.credentials(id: user.id, on: services.pool))
            _ = try await services.users.updateOwnProfile(
                Principal(userID: user.id, role: .customer, credential: .accessToken), name: nil,
                newPassword: Password("a brand new password"), currentPassword: "correct horse battery", client: "test")
            try await repository.upgradePasswordHash(id: user.id, from: stale.passwordHash, to: stale.passwordHash + "x",
                                                     on: services.pool)
            #expect(try await !repository.setPasswordHash(id: user.id, hash: "!", ifVersion: stale.credentialsVersion,
                                                          on: services.pool))
            _ = try await services.auth.verifyLogin(email: "stale@example.com", password: "a brand new password", otp: nil,
                                                    client: "test")
            await #expect(throws: UserError.invalidCredentials) {
                try await services.auth.verifyLogin(email: "stale@example.com", password: "correct horse battery",
                                                    otp: nil, client: "test")
            }
        }
    }
}

/// Blocks a pool thread until opened, so queue occupancy is exact. `@unchecked Sendable`:
/// its flags change only with `condition` held.
final class ThreadGate: @unchecked Sendable {
    // @unchecked: both flags are read and written only with `condition` held.
    private let condition = NSCondition()
    private var isOpen = false
    private var hasStarted = false

    func block() {
        condition.lock()
        hasStarted = true
        while !isOpen { condition.wait() }
        condition.unlock()
    }

    var started: Bool { condition.lock(); defer { condition.unlock() }; return hasStarted }

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }
}

/// When the hashing pool is saturated, a known and an unknown email answer alike, and one
/// client's flood does not make everyone else's logins fail.
@Suite struct LoginUnderLoadTests {
    // The limit catches a hang, not slowness: it also covers the wait for this test's
    // database copy, which a full run on a loaded machine can queue for over a minute.
    @Test(.timeLimit(.minutes(10)))
    func aFloodingClientIsRefusedAloneAndKnownAndUnknownEmailsAnswerAlike() async throws {
        let hashing = IdentityServices.cheapPool(threads: 1, maxQueueLength: 8, maxPerClient: 2)
        try await withIdentityServices(hashing: hashing) { services in
            try await services.register("known@example.com")
            let gate = ThreadGate()
            let blocker = Task { try await hashing.run(client: "flood") { gate.block() } }
            // Patient: under AddressSanitizer with every suite running, the task had not
            // even started after 10 s (the cooperative pool has two threads).
            #expect(await eventually(within: .seconds(60)) { gate.started })
            // Fill the flooding client's share of the queue until it is refused.
            var queued: [Task<Void, any Error>] = []
            let refusals = Counter()
            while refusals.value == 0 && queued.count < 20 {
                let before = hashing.queuedJobCount
                let task = Task {
                    do throws(PasswordHashError) {
                        _ = try await hashing.run(client: "flood") { 0 }
                    } catch {
                        if error == .overloaded { refusals.increment() }
                        throw error
                    }
                }
                #expect(await eventually { hashing.queuedJobCount > before || refusals.value > 0 })
                if refusals.value == 0 { queued.append(task) }
            }
            defer { gate.open() }
            for email in ["known@example.com", "unknown@example.com"] {
                await #expect(throws: UserError.hashingOverloaded, "\(email)") {
                    try await services.auth.login(email: email, password: "correct horse battery", otp: nil, client: "flood")
                }
            }
            // Another client still gets in line, and is served once the pool frees up.
            let other = Task {
                try await services.auth.login(email: "known@example.com", password: "correct horse battery", otp: nil,
                                              client: "other")
            }
            #expect(await eventually(within: .seconds(60)) { hashing.queuedJobCount == queued.count + 1 })
            gate.open()
            _ = try await other.value
            try await blocker.value
            for task in queued { try await task.value }
        }
    }
}

/// API.md, API keys: a key never does more than its owner's role allows now.
@Suite struct APIKeyScopeTests {
    @Test func aDemotedOwnersKeyLosesTheScopesTheRoleNoLongerAllows() async throws {
        try await withIdentityApp { api in
            let first = try await api.admin("first@example.com")
            let second = try await api.admin("second@example.com")
            let wide = try await api.createKey(second.access, scopes: ["products:write", "users:read"])
            let narrow = try await api.createKey(second.access, scopes: ["users:read"])
            #expect(try await api.call("PATCH", "/api/v1/users/\(second.id)", body: #"{"role":"customer"}"#,
                                       bearer: first.access).status == 200)
            let rotated = try await api.call("POST", "/api/v1/api-keys/\(wide.id)/rotate", bearer: second.access)
            #expect(rotated.status == 403, "\(rotated.bodyText)")
            #expect(try await api.call("POST", "/api/v1/api-keys/\(narrow.id)/rotate", bearer: second.access).status == 201)
            let services = try IdentityServices(pool: api.db, conninfo: api.database.conninfo,
                                                hashing: IdentityServices.cheapPool())
            let principal = try await services.apiKeys.principal(apiKey: wide.key)
            #expect(!principal.has(.productsWrite))
            #expect(principal.has(.usersRead))
            // Promoted again, the key's own scopes apply again.
            _ = try await api.db.query("UPDATE users SET role = 'admin' WHERE id = $1::uuid", [second.id])
            #expect(try await services.apiKeys.principal(apiKey: wide.key).has(.productsWrite))
        }
    }
}
