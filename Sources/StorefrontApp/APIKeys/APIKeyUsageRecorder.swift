import Foundation
import Locking

/// Records `last_used_at` without a write per request: the auth lookup already says whether
/// the stored time is older than `interval`, and this map makes sure that of many concurrent
/// requests with one key only the first writes. At most one write per key per minute.
final class APIKeyUsageRecorder: Sendable {
    /// The one definition of "recently used": the auth lookup asks the database whether the
    /// stored time is older than this, and the map below holds back writes within it.
    static let intervalSeconds = 60
    static let interval: Duration = .seconds(intervalSeconds)
    private let database: Database
    private let repository: APIKeyRepository
    private let logger: Logger
    private let lastWritten = Locked<[UUID: ContinuousClock.Instant]>([:])

    init(database: Database, repository: APIKeyRepository, logger: Logger) {
        self.database = database
        self.repository = repository
        self.logger = logger
    }

    func record(keyID: UUID) async {
        let now = ContinuousClock.now
        let claimed = lastWritten.withLock { map -> Bool in
            if let last = map[keyID], now - last < APIKeyUsageRecorder.interval { return false }
            // Forget entries old enough not to matter, so the map stays small.
            if map.count >= 10_000 { map = map.filter { now - $0.value < APIKeyUsageRecorder.interval } }
            map[keyID] = now
            return true
        }
        guard claimed else { return }
        do {
            try await database.autocommit { db in try await repository.touch(id: keyID, on: db) }
        } catch {
            // Usage time is informational: a failed write must not fail the request.
            logger.warning("api key usage not recorded", ["key_id": .string(keyID.uuidString.lowercased())])
        }
    }
}
