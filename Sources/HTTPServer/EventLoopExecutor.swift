/// Runs Swift tasks on an event loop's own thread. Each connection's handler task prefers
/// this executor, so a request that never suspends is answered without leaving the loop,
/// and one that awaits the database comes back to the loop that owns its socket.
/// See docs/adr/0001-http-concurrency-model.md.
///
/// `@unchecked Sendable`: its one field is an immutable unowned reference to a loop, and
/// `enqueue` only calls `EventLoop.enqueue`, which any thread may call.
final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    // Unowned: the loop owns the executor and outlives every task it schedules (a stopped
    // loop forwards late jobs to the global executor rather than dropping them).
    unowned let loop: EventLoop

    init(loop: EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        loop.enqueue(UnownedJob(job))
    }
}
