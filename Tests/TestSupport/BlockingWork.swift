import Foundation
import Testing

/// Runs `body`, and every task it starts, on threads of their own instead of Swift's
/// cooperative pool, so it may block (a raw socket read waiting for a server's timeout).
///
/// The cooperative pool has one thread per core: two here. A test that blocks on it for
/// seconds holds a share of every other test's progress, and with sanitizers and parallel
/// suites on a loaded machine an `eventually` elsewhere then never got to poll for a
/// minute. Each job gets a new thread; a test makes few enough for that not to matter.
public func withBlockingAllowed<T>(_ body: () async throws -> T) async rethrows -> T {
    try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) { try await body() }
}

/// A task executor that runs each job on a new detached thread: never shared, so a job
/// that blocks delays nobody else.
final class ThreadPerJobExecutor: TaskExecutor {
    static let shared = ThreadPerJobExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread { unowned.runSynchronously(on: executor) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// `@Suite(.blockingAllowed)`: every test of the suite runs as `withBlockingAllowed`. For
/// suites that talk to servers through blocking raw sockets.
public struct BlockingAllowedTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        // The suite itself gets a scope too; only its tests need one.
        guard !test.isSuite else { return try await function() }
        try await withBlockingAllowed(function)
    }
}

extension Trait where Self == BlockingAllowedTrait {
    public static var blockingAllowed: Self { Self() }
}
