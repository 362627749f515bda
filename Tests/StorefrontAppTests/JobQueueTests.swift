import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing
@testable import StorefrontApp

/// The queue's statements against a real database (ADR 0008): transactional enqueue, claims
/// that concurrent claimers never share, the fence on outcomes, leases and the rescuer.
@Suite struct JobQueueTests {
    static let payload = JSONValue.object(JSONObject([("n", .number("1")), ("s", .string("a \"quoted\" \\ text"))]))

    @Test func anEnqueueInARolledBackTransactionLeavesNothing() async throws {
        try await JobsFixture.with { jobs in
            let database = jobs.queue.database
            await #expect(throws: Rollback.self) {
                try await database.transaction { tx in
                    try await jobs.queue.enqueue(kind: JobsFixture.kind, payload: JobQueueTests.payload, in: tx)
                    throw Rollback()
                }
            }
            #expect(try await jobs.count("SELECT count(*)::int AS n FROM jobs") == 0)
            _ = try await database.transaction { tx in
                try await jobs.queue.enqueue(kind: JobsFixture.kind, payload: JobQueueTests.payload, in: tx)
            }
            #expect(try await jobs.count("SELECT count(*)::int AS n FROM jobs") == 1)
        }
    }

    @Test func aClaimHandsBackThePayloadAndAFreshTokenAndIsCommittedAtOnce() async throws {
        try await JobsFixture.with { jobs in
            let id = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind, payload: JobQueueTests.payload))
            let claimed = try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 10)
            #expect(claimed.map(\.id) == [id])
            #expect(claimed.first?.payload == JobQueueTests.payload)
            #expect(claimed.first?.attempt == 1)
            // Seen from another connection: the claim is committed, nothing stays locked.
            let row = try await jobs.row(id)
            #expect(row.state == "running" && row.claimToken == claimed.first?.claimToken)
            let locked = try await jobs.count("SELECT count(*)::int AS n FROM (SELECT id FROM jobs FOR UPDATE NOWAIT) AS t")
            #expect(locked == 1)
            #expect(try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 10).isEmpty)
        }
    }

    @Test func aUniqueKeyAddsOneJob() async throws {
        try await JobsFixture.with { jobs in
            let first = try await jobs.queue.enqueue(kind: JobsFixture.kind, uniqueKey: "only-once")
            let second = try await jobs.queue.enqueue(kind: JobsFixture.kind, uniqueKey: "only-once")
            let keyless = try await jobs.queue.enqueue(kind: JobsFixture.kind)
            #expect(first != nil && second == nil && keyless != nil)
            #expect(try await jobs.count("SELECT count(*)::int AS n FROM jobs") == 2)
        }
    }

    @Test func onlyDueJobsOfTheAskedKindsAreClaimed() async throws {
        try await JobsFixture.with { jobs in
            let later = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind, runAt: Date().addingTimeInterval(3600)))
            let other = try #require(try await jobs.queue.enqueue(kind: JobKind("test.unhandled")))
            #expect(try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 10).isEmpty)
            #expect(try await jobs.row(later).state == "ready")
            #expect(try await jobs.row(other).state == "ready")
            #expect(try await jobs.row(other).attempt == 0)
        }
    }

    /// Four instances with their own pools, two claimers each, racing over 200 jobs.
    @Test func concurrentClaimersNeverGetTheSameJob() async throws {
        try await JobsFixture.with { jobs in
            let total = 200
            try await jobs.queue.database.transaction { tx in
                try await jobs.queue.enqueue(kind: JobsFixture.kind, payloads: Array(repeating: .null, count: total), in: tx)
            }
            let ids = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var mine: [UUID] = []
                        try await jobs.instance(poolSize: 2) { queue in
                            mine = try await withThrowingTaskGroup(of: [UUID].self) { claimers in
                                for _ in 0..<2 {
                                    claimers.addTask {
                                        var got: [UUID] = []
                                        while true {
                                            let batch = try await queue.claim(kinds: [JobsFixture.kind], limit: 3)
                                            if batch.isEmpty { return got }
                                            got += batch.map(\.id)
                                        }
                                    }
                                }
                                return try await claimers.reduce([], +)
                            }
                        }
                        return mine
                    }
                }
                return try await group.reduce([], +)
            }
            #expect(ids.count == total)
            #expect(Set(ids).count == total)
        }
    }

    @Test func anExpiredLeaseIsRescuedAndTheStaleOwnersOutcomeIsRefused() async throws {
        try await JobsFixture.with { jobs in
            let id = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind))
            let stale = try #require(try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 1).first)
            // A live lease is left alone.
            #expect(try await jobs.queue.rescueExpired() == 0)
            try await jobs.expireLease(id)
            #expect(try await jobs.queue.rescueExpired() == 1)
            #expect(try await jobs.row(id).state == "ready")
            #expect(try await jobs.row(id).lastError == "lease expired")
            let owner = try #require(try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 1).first)
            #expect(owner.claimToken != stale.claimToken)
            // The rescued attempt stays spent: a job that kills its worker cannot loop for ever.
            #expect(owner.attempt == 2)
            for outcome in [JobOutcome.done, .retry(at: Date(), error: "x"), .dead(error: "x"), .postpone(until: Date())] {
                #expect(try await jobs.queue.record(outcome, for: stale) == false, "\(outcome)")
            }
            #expect(try await jobs.queue.extendLease(of: stale) == false)
            #expect(try await jobs.queue.release(stale) == false)
            #expect(try await jobs.row(id).state == "running")
            #expect(try await jobs.queue.record(.done, for: owner))
            #expect(try await jobs.queue.record(.done, for: owner) == false)
            #expect(try await jobs.row(id).state == "done")
            #expect(try await jobs.count("SELECT count(*)::int AS n FROM jobs WHERE state = 'done'") == 1)
        }
    }

    @Test func aRetryIsAScheduledRowWithTheNextAttempt() async throws {
        try await JobsFixture.with { jobs in
            let id = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind))
            let first = try #require(try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 1).first)
            #expect(try await jobs.queue.record(.retry(at: Date().addingTimeInterval(600), error: "503 from receiver"),
                                                for: first))
            let row = try await jobs.row(id)
            #expect(row.state == "ready" && row.claimToken == nil && row.attempt == 1)
            #expect(row.lastError == "503 from receiver")
            #expect(row.runsIn > 590 && row.runsIn <= 600)
            #expect(try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 1).isEmpty)
            _ = try await jobs.pool.query("UPDATE jobs SET run_at = now() WHERE id = $1", [id])
            let second = try #require(try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 1).first)
            #expect(second.attempt == 2)
            #expect(try await jobs.queue.record(.dead(error: "gave up"), for: second))
            #expect(try await jobs.row(id).state == "dead")
            #expect(try await jobs.row(id).lastError == "gave up")
        }
    }

    @Test func postponingAndReleasingDoNotSpendAnAttempt() async throws {
        try await JobsFixture.with { jobs in
            let id = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind))
            for _ in 0..<3 {
                let claimed = try #require(try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 1).first)
                #expect(claimed.attempt == 1)
                #expect(try await jobs.queue.record(.postpone(until: Date().addingTimeInterval(-1)), for: claimed))
                #expect(try await jobs.row(id).attempt == 0)
            }
            let claimed = try #require(try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 1).first)
            #expect(try await jobs.queue.release(claimed))
            let row = try await jobs.row(id)
            #expect(row.state == "ready" && row.attempt == 0 && row.claimToken == nil)
            let later = try #require(try await jobs.queue.claim(kinds: [JobsFixture.kind], limit: 1).first)
            #expect(try await jobs.queue.record(.postpone(until: Date().addingTimeInterval(300)), for: later))
            #expect(try await jobs.row(id).runsIn > 290)
        }
    }

    @Test func theDatabaseRefusesAStateOutsideTheKnownOnes() async throws {
        try await JobsFixture.with { jobs in
            let id = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind))
            for sql: SQL in ["UPDATE jobs SET state = 'failed' WHERE id = $1",
                             "UPDATE jobs SET state = 'running' WHERE id = $1",
                             "UPDATE jobs SET claim_token = gen_random_uuid() WHERE id = $1"] {
                await #expect(throws: PostgresError.self) { _ = try await jobs.pool.query(sql, [id]) }
            }
        }
    }

    @Test func threeInstancesOfferingTheSamePeriodicRunAddOne() async throws {
        try await JobsFixture.with { jobs in
            let purge = PeriodicJob(name: "test-purge", every: .seconds(3600)) {}
            var added = 0
            for _ in 0..<3 {
                try await jobs.instance { queue in added += try await queue.enqueuePeriodic([purge]) }
            }
            #expect(added == 1)
            let keys = try await jobs.pool.query("SELECT unique_key FROM jobs WHERE kind = 'periodic.test-purge'").rows
            #expect(keys.count == 1)
            let key: String = try #require(keys.first).decode("unique_key")
            #expect(key.hasPrefix("periodic.test-purge:"))
        }
    }

    @Test func finishedJobsArePurgedAfterTheirRetention() async throws {
        try await JobsFixture.with { jobs in
            for state in ["done", "dead"] {
                let id = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind))
                _ = try await jobs.pool.query("UPDATE jobs SET state = $2, updated_at = now() - interval '2 days' WHERE id = $1",
                                              [id, state])
            }
            try await jobs.queue.enqueue(kind: JobsFixture.kind)
            #expect(try await jobs.queue.purgeFinished() == 1)
            #expect(try await jobs.count("SELECT count(*)::int AS n FROM jobs") == 2)
        }
    }
}
