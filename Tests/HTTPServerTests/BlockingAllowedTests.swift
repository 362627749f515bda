import Foundation
import Testing
import TestSupport

/// The trait the raw-socket suites use: blocking inside it holds no thread of Swift's
/// cooperative pool, which has one thread per core.
@Suite struct BlockingAllowedTests {
    /// Counts arrivals; `arrive` blocks until `expected` threads are inside at once.
    final class Barrier: @unchecked Sendable {
        private let condition = NSCondition()
        private var arrived = 0
        let expected: Int
        init(expected: Int) { self.expected = expected }

        func arrive(within seconds: Double) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            arrived += 1
            condition.broadcast()
            let deadline = Date(timeIntervalSinceNow: seconds)
            while arrived < expected {
                if !condition.wait(until: deadline) { return arrived >= expected }
            }
            return true
        }
    }

    /// More tasks than the cooperative pool has threads all block at the same time: on the
    /// pool the later ones could not start until the first gave up.
    @Test func moreBlockedTasksThanCoresAllRunAtOnce() async {
        let tasks = ProcessInfo.processInfo.activeProcessorCount + 2
        let barrier = Barrier(expected: tasks)
        let met = await withBlockingAllowed {
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<tasks { group.addTask { barrier.arrive(within: 30) } }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        #expect(met == Array(repeating: true, count: tasks))
    }
}
