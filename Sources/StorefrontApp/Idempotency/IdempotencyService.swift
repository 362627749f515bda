import Foundation

/// The rules of API.md, Idempotency: one answer per caller and key for 24 h, replayed for
/// the same request, refused for another one (422) or while the first still runs (409).
///
/// The request runs inside the transaction that stores its answer (`Database.sharing`):
/// the key row and the request's own writes (an order and its stock) commit together or
/// not at all, so a crash, a 5xx or a lost race can never leave an order without its key
/// or a key without its order.
struct IdempotencyService: Sendable {
    let database: Database
    let records: IdempotencyRepository

    /// Runs `handler` at most once per `key` of `userID`, or replays what it answered.
    ///
    /// `handler` returns its answer, stored as `stored(answer)`, or throws
    /// `IdempotentFailure` for a client error whose writes are undone but whose answer is
    /// stored all the same. Any other error rolls everything back, stores nothing and is
    /// rethrown.
    func once<Answer: Sendable>(userID: UUID, key: IdempotencyKey, fingerprint: RequestFingerprint,
                                stored: (Answer) -> StoredResponse,
                                handler: () async throws -> Answer) async throws -> IdempotentOutcome<Answer> {
        try await database.transaction { tx in
            guard try await records.tryLock(userID: userID, key: key.value, on: tx) else {
                throw IdempotencyError.inProgress
            }
            // Under the lock, a request with this key that finished before is committed and visible.
            if let record = try await records.find(userID: userID, key: key.value, on: tx) {
                guard record.fingerprint == fingerprint else { throw IdempotencyError.keyReused }
                return .replayed(record.response)
            }
            let answer: Answer
            do {
                answer = try await database.sharing(tx) {
                    try await database.transaction { _ in try await handler() }
                }
            } catch let failure as IdempotentFailure<Answer> {
                answer = failure.answer
            }
            guard try await records.insert(userID: userID, key: key.value, fingerprint: fingerprint,
                                           response: stored(answer), on: tx)
            else { throw IdempotencyError.inProgress }
            return .fresh(answer)
        }
    }

    /// Deletes answers past their 24 h. The one entry point of the periodic purge, so the
    /// jobs queue can take it over by calling this.
    @discardableResult
    func purgeExpired() async throws -> Int {
        try await database.autocommit { db in try await records.purgeExpired(on: db) }
    }
}

/// A client error (4xx) the request ended in: its writes are rolled back, its answer stored.
struct IdempotentFailure<Answer: Sendable>: Error, Sendable {
    let answer: Answer
}
