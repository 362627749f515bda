@testable import Crypto
import Locking
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
                    // Four clients: one client's burst past its share would be refused.
                    return (index, try await pool.verify(guess, against: stored, client: "c\(index % 4)"))
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
        let order = Locked<[Int]>([])
        for index in 0..<6 {
            queue.enqueue(PasswordJobQueue.Job(id: queue.makeJobID(), client: "") { outcome in
                if case .run = outcome { order.withLock { $0.append(index) } }
            })
        }
        queue.shutDown()
        // After shutDown a worker drains what was queued, then returns: run it right here.
        queue.runWorker()
        #expect(order.withLock { $0 } == [0, 1, 2, 3, 4, 5])
    }

    /// One client's backlog must not delay the others: clients with waiting jobs are served
    /// round robin, each from its own FIFO.
    @Test func clientsAreServedRoundRobinEachInFIFOOrder() {
        let queue = PasswordJobQueue(maxQueueLength: 20, maxPerClient: 10)
        let order = Locked<[String]>([])
        for (client, index) in [("a", 1), ("a", 2), ("a", 3), ("b", 1), ("b", 2), ("c", 1), ("a", 4)] {
            queue.enqueue(PasswordJobQueue.Job(id: queue.makeJobID(), client: client) { outcome in
                if case .run = outcome { order.withLock { $0.append("\(client)\(index)") } }
            })
        }
        queue.shutDown()
        queue.runWorker()
        #expect(order.withLock { $0 } == ["a1", "b1", "c1", "a2", "b2", "a3", "a4"])
    }

    /// Limits per client and in total, with repeated, empty and very long client names.
    static let capRows: [(jobs: [String], refused: [Int])] = [
        (["a", "a", "a", "b"], [2]),
        (["", "", "", "x"], [2]),
        ([String(repeating: "z", count: 10_000), String(repeating: "z", count: 10_000), "z"], []),
        (["a", "b", "c", "d", "e", "f"], [5]),
        (["a", "a", "b", "b", "c", "c"], [5]),
    ]

    @Test(arguments: capRows)
    func aClientPastItsShareOrAFullQueueIsRefused(_ row: (jobs: [String], refused: [Int])) {
        let queue = PasswordJobQueue(maxQueueLength: 5, maxPerClient: 2)
        let refused = Locked<[Int]>([])
        for (index, client) in row.jobs.enumerated() {
            queue.enqueue(PasswordJobQueue.Job(id: queue.makeJobID(), client: client) { outcome in
                if case .refuse(.overloaded) = outcome { refused.withLock { $0.append(index) } }
            })
        }
        #expect(refused.withLock { $0 } == row.refused)
        queue.shutDown()
        queue.runWorker()
        #expect(queue.waitingCount == 0)
    }

    @Test func cancellingTheLastJobOfAClientKeepsTheRotationIntact() {
        let queue = PasswordJobQueue(maxQueueLength: 10, maxPerClient: 10)
        let order = Locked<[String]>([])
        var ids: [String: UInt64] = [:]
        for name in ["a1", "b1", "c1", "a2"] {
            let id = queue.makeJobID()
            ids[name] = id
            queue.enqueue(PasswordJobQueue.Job(id: id, client: String(name.prefix(1))) { outcome in
                if case .run = outcome { order.withLock { $0.append(name) } }
            })
        }
        queue.cancel(ids["b1"] ?? 0)
        queue.cancel(ids["a1"] ?? 0)
        queue.shutDown()
        queue.runWorker()
        #expect(order.withLock { $0 } == ["a2", "c1"])
    }

    @Test(.timeLimit(.minutes(1)))
    func aCancelledWaitingJobLeavesTheQueueWithCancelled() async throws {
        let pool = try Self.cheapPool(threads: 1, maxQueueLength: 4)
        let started = OneShotSignal()
        let gate = Gate()
        let blocker = Task { try await pool.run { started.fire(); gate.block() } }
        await started.wait()
        let ran = Locked(false)
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
