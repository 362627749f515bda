import Foundation
import Locking
import Testing

@Suite struct LockedTests {
    struct Refused: Error {}

    @Test func incrementsFromManyThreadsAreNeverLost() async {
        let counter = Locked(0)
        let threads = 8, rounds = 10_000
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<threads {
                group.addTask {
                    for _ in 0..<rounds { counter.withLock { $0 += 1 } }
                }
            }
        }
        #expect(counter.withLock { $0 } == threads * rounds)
    }

    @Test func aThrowingBodyKeepsItsChangesAndReleasesTheLock() {
        let value = Locked([1])
        #expect(throws: Refused.self) {
            try value.withLock { (numbers: inout [Int]) throws(Refused) in
                numbers.append(2)
                throw Refused()
            }
        }
        // Taking the lock again would deadlock if the throw had left it held.
        #expect(value.withLock { $0 } == [1, 2])
    }

    @Test func theBodysResultIsReturned() {
        let value = Locked("a")
        let length = value.withLock { text -> Int in
            text += "bc"
            return text.count
        }
        #expect(length == 3)
    }
}
