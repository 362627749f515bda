@testable import Crypto
import Synchronization
import Testing

@Suite struct PasswordHashingPoolTests {
    static func cheapPool(threads: Int = 2, maxQueueLength: Int = 256) throws
        -> PasswordHashingPool
    {
        try PasswordHashingPool(
            hasher: PasswordHasher(parameters: Scrypt.Parameters(logN: 4, r: 8, p: 1)),
            threadCount: threads, maxQueueLength: maxQueueLength)
    }

    @Test func hashAndVerifyRunOnThePool() async throws {
        let pool = try Self.cheapPool()
        let stored = try await pool.hash("pool password")
        #expect(try await pool.verify("pool password", against: stored))
        #expect(try await !pool.verify("other password", against: stored))
        #expect(try await !pool.dummyVerify("pool password"))
        #expect(!pool.needsRehash(stored))
    }

    @Test(.timeLimit(.minutes(1)))
    func aBurstOfTwentyConcurrentVerifiesQueuesAndAllComplete() async throws {
        let pool = try Self.cheapPool(threads: 2)
        let stored = try await pool.hash("burst password")
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<20 {
                group.addTask {
                    let guess = index.isMultiple(of: 2) ? "burst password" : "wrong \(index)"
                    return (index, try await pool.verify(guess, against: stored))
                }
            }
            var outcomes: [Int: Bool] = [:]
            for try await (index, matched) in group { outcomes[index] = matched }
            return outcomes
        }
        #expect(outcomes.count == 20)
        for (index, matched) in outcomes {
            #expect(matched == index.isMultiple(of: 2))
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func jobsBeyondTheQueueLimitAreRefusedAsOverloaded() async throws {
        let pool = try Self.cheapPool(threads: 1, maxQueueLength: 2)
        let stored = try pool.hasher.hash("password")
        let started = OneShotSignal()
        let gate = Gate()
        // Occupy the only thread until the gate opens, so queue occupancy is exact.
        let blocker = Task { try await pool.run { started.fire(); gate.block() } }
        await started.wait()

        var overloaded = 0
        var verified = 0
        await withTaskGroup(of: Result<Bool, PasswordHashError>.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    do throws(PasswordHashError) {
                        return .success(try await pool.verify("password", against: stored))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for await outcome in group {
                switch outcome {
                case .failure(.overloaded):
                    overloaded += 1
                    // Two wait in the queue; the other three must have been refused at once.
                    if overloaded == 3 { gate.open() }
                case .success(true):
                    verified += 1
                default:
                    Issue.record("unexpected outcome \(outcome)")
                }
            }
        }
        // Reached with fewer than three refusals only when the time limit cancelled the
        // waiting jobs; open the gate anyway so the blocker ends and the failure is reported.
        if overloaded != 3 { gate.open() }
        #expect(overloaded == 3)
        #expect(verified == 2)
        try await blocker.value
    }

    @Test func queuedJobsRunInFIFOOrder() {
        let queue = PasswordJobQueue(maxQueueLength: 10)
        let order = Mutex<[Int]>([])
        for index in 0..<6 {
            queue.enqueue(PasswordJobQueue.Job(id: queue.makeJobID()) { outcome in
                if case .run = outcome { order.withLock { $0.append(index) } }
            })
        }
        queue.shutDown()
        // After shutDown a worker drains what was queued, then returns: run it right here.
        queue.runWorker()
        #expect(order.withLock { $0 } == [0, 1, 2, 3, 4, 5])
    }

    @Test(.timeLimit(.minutes(1)))
    func aCancelledWaitingJobLeavesTheQueueWithCancelled() async throws {
        let pool = try Self.cheapPool(threads: 1, maxQueueLength: 4)
        let started = OneShotSignal()
        let gate = Gate()
        let blocker = Task { try await pool.run { started.fire(); gate.block() } }
        await started.wait()
        let ran = Mutex(false)
        let waiting = Task { try await pool.run { ran.withLock { $0 = true } } }
        // Wait (without sleeping) until the job is in the queue, then cancel its caller.
        while pool.queuedJobCount == 0 { await Task.yield() }
        // Cancellation handlers run inside cancel(), so the job is out of the queue now.
        waiting.cancel()
        #expect(pool.queuedJobCount == 0)
        // Opened before awaiting, so a job left queued by mistake runs (and fails the
        // expectations below) instead of hanging the test.
        gate.open()
        try await blocker.value
        await #expect(throws: PasswordHashError.cancelled) { try await waiting.value }
        #expect(!ran.withLock { $0 })
    }

    @Test func aShutDownPoolRefusesNewJobs() async throws {
        let pool = try Self.cheapPool()
        pool.shutDown()
        await #expect(throws: PasswordHashError.shutDown) { try await pool.hash("password") }
    }
}
