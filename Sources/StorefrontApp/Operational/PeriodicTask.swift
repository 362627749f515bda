import Synchronization

/// Runs a piece of housekeeping every `interval` while the server runs (today: purging
/// expired idempotency keys). Deliberately small: the background-jobs queue will take
/// these over, with one run per cluster instead of one per instance; until then running
/// the same idempotent delete on every instance is harmless.
final class PeriodicTask: Sendable {
    private let name: String
    private let interval: Duration
    private let work: @Sendable () async throws -> Void
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(name: String, every interval: Duration, logger: Logger, _ work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.work = work
    }

    /// Starts the loop: the first run after one interval, not at start-up, so a fleet
    /// restarting together does not stampede the database.
    func start() {
        let (name, interval, work, logger) = (self.name, self.interval, self.work, self.logger)
        task.withLock { current in
            guard current == nil else { return }
            current = Task {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { return }
                    do {
                        try await work()
                    } catch {
                        // The next run tries again; a failure here must not stop the server.
                        logger.warning("periodic task failed", ["task": .string(name)])
                    }
                }
            }
        }
    }

    func stop() {
        task.withLock { current in
            current?.cancel()
            current = nil
        }
    }
}
