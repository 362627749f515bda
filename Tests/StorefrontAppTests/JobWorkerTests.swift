import Locking
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing
@testable import StorefrontApp

/// The worker runner over a real queue: concurrency, wake-ups, outcomes, periodic runs once
/// across instances, and shutdown that finishes or releases what it holds.
@Suite struct JobWorkerTests {
    @Test func everyJobRunsOnceWithAtMostConcurrencyInFlight() async throws {
        try await JobsFixture.with { jobs in
            let gate = CancellableGate()
            let handler = ScriptedHandler(gate: gate)
            let worker = jobs.worker([handler], concurrency: 3)
            worker.start()
            for _ in 0..<12 { try await jobs.queue.enqueue(kind: JobsFixture.kind) }
            #expect(await eventually(within: JobsFixture.patience) { handler.running == 3 })
            #expect(try await jobs.count("SELECT count(*)::int AS n FROM jobs WHERE kind = 'test.job' AND state = 'running'") == 3)
            gate.open()
            #expect(try await eventually(within: JobsFixture.patience) {
                try await jobs.count("SELECT count(*)::int AS n FROM jobs WHERE kind = 'test.job' AND state = 'done'") == 12
            })
            await worker.shutdown(grace: .seconds(5))
            #expect(handler.mostAtOnce == 3)
            #expect(handler.runs.count == 12)
            #expect(Set(handler.runs).count == 12)
            #expect(worker.attempts.snapshot().contains { $0.kind == "test.job" && $0.outcome == "done" && $0.count == 12 })
        }
    }

    @Test func aKindWithoutAHandlerStaysReadyWithNoAttemptSpent() async throws {
        try await JobsFixture.with { jobs in
            let handler = ScriptedHandler()
            let worker = jobs.worker([handler])
            worker.start()
            let orphan = try #require(try await jobs.queue.enqueue(kind: JobKind("test.nobody-handles-this")))
            let known = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind))
            #expect(try await eventually(within: JobsFixture.patience) { try await jobs.row(known).state == "done" })
            await worker.shutdown(grace: .seconds(5))
            let row = try await jobs.row(orphan)
            #expect(row.state == "ready" && row.attempt == 0)
        }
    }

    @Test func aRetryOutcomeRunsTheJobAgainWithTheNextAttempt() async throws {
        try await JobsFixture.with { jobs in
            let handler = ScriptedHandler { job in
                job.attempt < 3 ? .retry(at: Date(), error: "attempt \(job.attempt) failed") : .done
            }
            let worker = jobs.worker([handler])
            worker.start()
            let id = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind))
            #expect(try await eventually(within: JobsFixture.patience) { try await jobs.row(id).state == "done" })
            await worker.shutdown(grace: .seconds(5))
            #expect(handler.runs == [id, id, id])
            let row = try await jobs.row(id)
            #expect(row.attempt == 3 && row.lastError == "attempt 2 failed")
        }
    }

    @Test func aPeriodicJobOfferedByThreeInstancesInOneSlotRunsOnce() async throws {
        try await JobsFixture.with { jobs in
            let runs = Locked(0)
            let purge = PeriodicJob(name: "test-purge", every: .seconds(3600)) { runs.withLock { $0 += 1 } }
            // Three instances' schedulers offer this slot's run; one instance's worker runs it.
            for _ in 0..<3 {
                try await jobs.instance { queue in _ = try await queue.enqueuePeriodic([purge]) }
            }
            let worker = jobs.worker([], periodic: [purge])
            worker.start()
            #expect(try await eventually(within: JobsFixture.patience) {
                try await jobs.count("SELECT count(*)::int AS n FROM jobs WHERE kind = 'periodic.test-purge' AND state = 'done'") == 1
            })
            // The worker's own scheduler offers the same slot again: the finished run is not repeated.
            #expect(try await jobs.queue.enqueuePeriodic([purge]) == 0)
            await worker.shutdown(grace: .seconds(5))
            #expect(runs.withLock { $0 } == 1)
            #expect(try await jobs.count("SELECT count(*)::int AS n FROM jobs WHERE kind = 'periodic.test-purge'") == 1)
        }
    }

    @Test func shutdownReleasesJobsStillRunningAfterTheGrace() async throws {
        try await JobsFixture.with { jobs in
            let handler = ScriptedHandler(gate: CancellableGate())
            let logs = MemoryLogSink()
            let worker = jobs.worker([handler], concurrency: 2, logs: logs)
            worker.start()
            let ids = [try await jobs.queue.enqueue(kind: JobsFixture.kind), try await jobs.queue.enqueue(kind: JobsFixture.kind)]
                .compactMap { $0 }
            #expect(await eventually(within: JobsFixture.patience) { handler.running == 2 })
            await worker.shutdown(grace: .milliseconds(50))
            for id in ids {
                let row = try await jobs.row(id)
                #expect(row.state == "ready" && row.claimToken == nil && row.attempt == 0, "\(row)")
            }
            #expect(worker.attempts.snapshot().contains { $0.outcome == "released" && $0.count == 2 })
            #expect(logs.all.contains { $0.contains("jobs released at shutdown") })
            // A released job's late outcome is refused: the handler, cancelled, answers done.
            #expect(await eventually(within: JobsFixture.patience) { handler.running == 0 })
            #expect(try await jobs.count("SELECT count(*)::int AS n FROM jobs WHERE kind = 'test.job' AND state = 'done'") == 0)
        }
    }

    @Test func shutdownLetsARunningJobFinishWithinTheGrace() async throws {
        try await JobsFixture.with { jobs in
            let gate = CancellableGate()
            let handler = ScriptedHandler(gate: gate)
            let worker = jobs.worker([handler])
            worker.start()
            let id = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind))
            #expect(await eventually(within: JobsFixture.patience) { handler.running == 1 })
            async let stopped: Void = worker.shutdown(grace: .seconds(30))
            // No new claims once shutdown began: this job waits for another instance.
            #expect(await eventually(within: JobsFixture.patience) { !worker.isClaiming })
            let late = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind))
            gate.open()
            await stopped
            #expect(try await jobs.row(id).state == "done")
            #expect(try await jobs.row(late).state == "ready")
        }
    }

    @Test func anEnqueueWakesAnIdleWorkerBeforeItsNextPoll() async throws {
        try await JobsFixture.with { jobs in
            let handler = ScriptedHandler()
            // A poll so slow the test would time out waiting for it: only the wake-up can run the job.
            let worker = JobWorker(queue: jobs.queue, handlers: [handler], periodic: [],
                                   tuning: JobWorker.Tuning(concurrency: 1, minPoll: .seconds(600), maxPoll: .seconds(600)),
                                   logger: Logger(sink: MemoryLogSink(), minimumLevel: .debug))
            worker.start()
            #expect(await eventually(within: JobsFixture.patience) { worker.isIdle })
            let id = try #require(try await jobs.queue.enqueue(kind: JobsFixture.kind))
            #expect(try await eventually(within: JobsFixture.patience) { try await jobs.row(id).state == "done" })
            await worker.shutdown(grace: .seconds(5))
        }
    }
}
