import Foundation
import ReceiverTestSupport
import Testing
import TestSupport
@testable import StorefrontApp

/// Webhook workers as separate `storefront worker` processes on one database: one killed
/// mid-attempt, two racing for the same deliveries.
@Suite struct WebhookWorkerProcessTests {
    static let key = Data(repeating: 0x5A, count: 32).base64EncodedString()

    /// The API app (no workers of its own) and the workers share the key that seals secrets.
    static func environment(_ extra: [String: String]) -> [String: String] {
        ["DATA_ENCRYPTION_KEY": key, "WEBHOOK_ALLOW_PRIVATE": "true", "WEBHOOK_ALLOW_HTTP": "true"]
            .merging(extra) { $1 }
    }

    static func worker(_ hooks: WebhookApp, _ extra: [String: String]) throws -> ChildProcess {
        try ChildProcess([ExecutableTests.binary, "worker"], environment: environment([
            "DATABASE_URL": hooks.api.database.conninfo, "APP_ENV": "test", "DB_POOL_SIZE": "3",
            "SHUTDOWN_GRACE_S": "1",
        ]).merging(extra) { $1 })
    }

    /// SIGKILL while the receiver holds the attempt: the lease and the delivery's claim
    /// lapse (moved back here rather than waited for: 60 s would only test the clock), the
    /// rescuer requeues the job, another worker delivers it: same webhook-id, one success.
    @Test func aWorkerKilledMidAttemptIsReplacedAfterTheLeaseWithOneSuccess() async throws {
        let settings = ["WEBHOOK_TIMEOUT_MS": "600000"]
        try await withWebhooks(environment: WebhookWorkerProcessTests.environment(settings)) { hooks in
            let receiver = try TestServer(reply: scripted([.hang]))
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url).id
            let child = try WebhookWorkerProcessTests.worker(hooks, settings)
            let delivery = try await hooks.ping(endpoint)
            let reached = await eventually(within: .seconds(60)) { receiver.requests.count == 1 }
            #expect(reached, "\(child.standardOutput)\(child.standardError)")
            kill(child.pid, SIGKILL)
            _ = await child.exitStatus()
            #expect(try await hooks.api.count("SELECT count(*) AS n FROM jobs WHERE kind = 'webhook.deliver' AND state = 'running'") == 1)
            _ = try await hooks.api.db.query("UPDATE jobs SET lease_until = now() WHERE state = 'running'", [])
            _ = try await hooks.api.db.query("UPDATE webhook_deliveries SET claimed_until = now() WHERE id = $1", [delivery])
            hooks.api.app.application.startWorkers()
            let delivered = await eventually(within: .seconds(60)) {
                (try? await hooks.delivery(delivery, of: endpoint))?.string("status") == "succeeded"
            }
            #expect(delivered)
            let record = try await hooks.delivery(delivery, of: endpoint)
            #expect(record.int("attempts") == 1)
            #expect(receiver.requests.count == 2)
            #expect(Set(receiver.requests.map { ReceivedRequest($0).headers["webhook-id"] ?? "" }).count == 1)
            #expect(try await hooks.api.count("SELECT count(*) AS n FROM jobs WHERE kind = 'webhook.deliver' AND state = 'done'") == 1)
        }
    }

    /// Two worker processes, every delivery with four jobs (as after redeliveries and
    /// rescues): no delivery is ever attempted by both at once, and each gets exactly
    /// WEBHOOK_MAX_ATTEMPTS attempts.
    @Test func twoWorkerProcessesNeverAttemptTheSameDeliveryAtOnce() async throws {
        let settings = ["WEBHOOK_MAX_ATTEMPTS": "2", "WEBHOOK_RETRY_BASE_S": "1", "WEBHOOK_RETRY_MAX_S": "1",
                        "WEBHOOK_BREAKER_FAILURES": "1000", "WEBHOOK_TIMEOUT_MS": "2000"]
        try await withWebhooks(environment: WebhookWorkerProcessTests.environment(settings)) { hooks in
            let inFlight = LockedState([String: Int]())
            let overlaps = LockedState(0)
            // A slow receiver (50 ms an answer) widens the window in which a second attempt
            // of the same delivery would be seen; it is the load, not a synchronisation.
            let receiver = try TestServer { bytes in
                let id = ReceivedRequest(bytes).headers["webhook-id"] ?? ""
                inFlight.withLock { $0[id, default: 0] += 1; if $0[id, default: 0] > 1 { overlaps.withLock { $0 += 1 } } }
                Thread.sleep(forTimeInterval: 0.05)
                inFlight.withLock { $0[id, default: 0] -= 1 }
                return status(500)
            }
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url).id
            var deliveries: [UUID] = []
            for _ in 0..<12 { deliveries.append(try await hooks.ping(endpoint)) }
            _ = try await hooks.api.db.query("""
                INSERT INTO jobs (kind, payload) SELECT 'webhook.deliver', jsonb_build_object('delivery_id', id::text)
                FROM webhook_deliveries, generate_series(1, 3)
                """, [])
            let workers = try (0..<2).map { _ in try WebhookWorkerProcessTests.worker(hooks, settings) }
            let finished = await eventually(within: .seconds(90)) {
                (try? await hooks.api.count("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'dead'")) == 12
            }
            for worker in workers { kill(worker.pid, SIGTERM) }
            for worker in workers { _ = await worker.exitStatus() }
            #expect(finished, "\(workers.map(\.standardError))")
            #expect(overlaps.withLock { $0 } == 0)
            let perDelivery = Dictionary(grouping: receiver.requests.map { ReceivedRequest($0).headers["webhook-id"] ?? "" },
                                         by: { $0 }).mapValues(\.count)
            #expect(perDelivery.count == 12)
            #expect(perDelivery.values.allSatisfy { $0 == 2 }, "\(perDelivery)")
            #expect(try await hooks.api.count("SELECT count(*) AS n FROM webhook_deliveries WHERE attempts = 2") == 12)
        }
    }
}
