import Crypto
import Foundation
import HTTPClient
import Resilience

/// What one call of `WebhookDeliverer.attempt` did, and so when (if ever) the delivery's
/// job should run again.
enum AttemptResult: Sendable, Equatable {
    case succeeded
    /// The attempt failed and will be made again at this time.
    case retry(at: Date)
    /// Out of attempts, answered 410, or its endpoint is disabled: no more attempts.
    case dead
    /// The circuit is open: no attempt made, none spent, due again then.
    case postponed(until: Date)
    /// Not due yet, or another worker holds it: look again then.
    case notDue(Date)
    /// Gone, succeeded or dead already: nothing to do.
    case finished
    /// The worker is shutting down: the claim was given back, due again at once.
    case interrupted

    /// When the delivery's job should run next; nil when it is done.
    var nextRun: Date? {
        switch self {
        case .succeeded, .dead, .finished: nil
        case .retry(let at), .postponed(let at), .notDue(let at): at
        case .interrupted: Date()
        }
    }
}

/// Makes ONE attempt of a delivery (API.md, Webhooks, Rules of delivery): claim it,
/// ask the endpoint's circuit, sign, POST through `HTTPClient` within the timeout, then
/// record the outcome and the circuit's transition together. No row lock is held across
/// the network call. Time and randomness are injected so tests drive the schedule.
struct WebhookDeliverer: Sendable {
    let database: Database
    let attempts: AttemptRepository
    let sealer: WebhookSecretSealer
    let client: HTTPClient
    let timeout: Duration
    let schedule: RetrySchedule
    let breakerPolicy: CircuitBreaker.Policy
    let logger: Logger
    var clock: @Sendable () -> Date = Date.init
    /// A uniformly random value in [0, x]: the jitter.
    var uniform: @Sendable (Double) -> Double = { $0 > 0 ? Double.random(in: 0...$0) : 0 }
    /// Sees every attempt made: endpoint, seconds taken, success (the latency histogram).
    var observe: @Sendable (UUID, Double, Bool) -> Void = { _, _, _ in }

    /// How long past the timeout a claim lasts: a worker that died mid-attempt holds its
    /// delivery no longer than this.
    static let claimMargin: TimeInterval = 5
    /// Compare-and-set rounds on a contended circuit before giving up on this attempt.
    static let circuitRounds = 50

    func attempt(_ deliveryID: UUID) async throws -> AttemptResult {
        let token = UUID()
        let now = clock()
        let until = now.addingTimeInterval(timeout.inSeconds + WebhookDeliverer.claimMargin)
        let claim = try await database.autocommit { db in
            try await attempts.claim(id: deliveryID, token: token, now: now, until: until, on: db)
        }
        let claimed: ClaimedDelivery
        switch claim {
        case .success(let value): claimed = value
        case .failure(.finished): return .finished
        case .failure(.notDue(let at)), .failure(.held(until: let at)): return .notDue(at)
        }
        guard claimed.endpointEnabled else {
            try await abandon(claimed, token: token, reason: "endpoint disabled; not attempted")
            return .dead
        }
        var secrets: [WebhookSecret] = []
        do {
            for sealed in [claimed.sealedSecret] + (claimed.sealedPreviousSecret.map { [$0] } ?? []) {
                secrets.append(try sealer.open(sealed, for: claimed.endpointID))
            }
        } catch {
            logger.error("webhook secret cannot be opened", ["endpoint_id": .string(claimed.endpointID.uuidString),
                                                             "error": .string(error.description)])
            try await abandon(claimed, token: token, reason: "signing secret cannot be opened; rotate the secret")
            return .dead
        }
        guard let (permit, circuit) = try await admit(claimed, now: now) else {
            let circuit = try await database.autocommit { db in try await attempts.circuit(endpointID: claimed.endpointID, on: db) }
            let due = (circuit?.since ?? now).addingTimeInterval(breakerPolicy.openDuration)
            try await database.autocommit { db in try await attempts.release(id: claimed.id, token: token, dueAt: due, on: db) }
            return .postponed(until: due)
        }
        let body = Array(claimed.body.utf8)
        let eventID = claimed.eventID.uuidString.lowercased()
        let headers = try WebhookSigner.headers(id: eventID, timestamp: Int(now.timeIntervalSince1970), body: body,
                                                secrets: secrets)
        let started = ContinuousClock.now
        let response: Result<HTTPClientResponse, HTTPClientError>
        do {
            response = .success(try await client.send(HTTPClientRequest(method: .post, url: claimed.url, headers: headers,
                                                                        body: body), timeout: timeout))
        } catch {
            response = .failure(error)
        }
        if case .failure(let error) = response, error == .cancelled || error == .shutDown {
            try await database.autocommit { db in try await attempts.release(id: claimed.id, token: token, dueAt: now, on: db) }
            return .interrupted
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        let verdict = Verdict(response, now: clock())
        observe(claimed.endpointID, seconds, verdict.succeeded)
        let record = record(verdict, claimed: claimed, startedAt: now)
        try await finish(claimed, token: token, record: record, permit: permit, circuit: circuit, verdict: verdict)
        var fields: [String: LogValue] = [
            "delivery_id": .string(claimed.id.uuidString.lowercased()),
            "endpoint_id": .string(claimed.endpointID.uuidString.lowercased()),
            "status": .string(record.status.rawValue), "attempts": .int(record.attempts),
            "duration_ms": .int(Int(seconds * 1000)),
        ]
        fields["response_status"] = record.responseStatus.map { .int($0) }
        fields["error"] = record.error.map { .string($0) }
        // The URL stays out: receivers put tokens in query strings.
        logger.info("webhook attempt", fields)
        switch record.status {
        case .succeeded: return .succeeded
        case .dead: return .dead
        case .failed, .pending: return .retry(at: record.nextAttemptAt ?? clock())
        }
    }

    /// The circuit's permission, with the circuit as this attempt left it; nil when it
    /// admits nobody now (open, or its one trial is out).
    private func admit(_ claimed: ClaimedDelivery, now: Date) async throws -> (CircuitBreaker.Permit, StoredCircuit)? {
        var circuit = claimed.circuit
        for _ in 0..<WebhookDeliverer.circuitRounds {
            var breaker = circuit.breaker(breakerPolicy) ?? CircuitBreaker(policy: breakerPolicy)
            let before = breaker
            guard let permit = breaker.acquire(now: now) else { return nil }
            if breaker == before { return (permit, circuit) }
            // open -> half_open: exactly one instance wins the trial.
            let won = try await database.autocommit { db in
                try await attempts.setCircuit(endpointID: claimed.endpointID, generation: circuit.generation,
                                              to: breaker, on: db)
            }
            if won {
                return (permit, StoredCircuit(phase: breaker.phase, failures: breaker.consecutiveFailures,
                                              since: breaker.since, generation: circuit.generation + 1))
            }
            guard let fresh = try await database.autocommit({ db in
                try await attempts.circuit(endpointID: claimed.endpointID, on: db)
            }) else { return nil }
            circuit = fresh
        }
        return nil
    }

    private func finish(_ claimed: ClaimedDelivery, token: UUID, record: AttemptRecord, permit: CircuitBreaker.Permit,
                        circuit known: StoredCircuit, verdict: Verdict) async throws {
        var circuit = known
        let now = clock()
        for _ in 0..<WebhookDeliverer.circuitRounds {
            var breaker = circuit.breaker(breakerPolicy) ?? CircuitBreaker(policy: breakerPolicy)
            if verdict.succeeded { breaker.recordSuccess(permit, now: now) } else { breaker.recordFailure(permit, now: now) }
            let written = try await database.autocommit { db in
                try await attempts.finish(claimed, token: token, record: record, generation: circuit.generation,
                                          breaker: breaker, disable: verdict.gone, on: db)
            }
            if written { return }
            guard let fresh = try await database.autocommit({ db in
                try await attempts.circuit(endpointID: claimed.endpointID, on: db)
            }) else { return }
            circuit = fresh
        }
        throw CircuitContention()
    }

    private func abandon(_ claimed: ClaimedDelivery, token: UUID, reason: String) async throws {
        try await database.autocommit { db in try await attempts.abandon(id: claimed.id, token: token, reason: reason, on: db) }
    }

    private func record(_ verdict: Verdict, claimed: ClaimedDelivery, startedAt: Date) -> AttemptRecord {
        let attempts = claimed.attempts + 1
        var record = AttemptRecord(status: .succeeded, attempts: attempts, lastAttemptAt: startedAt, nextAttemptAt: nil,
                                   responseStatus: verdict.responseStatus, error: verdict.error)
        guard !verdict.succeeded else { return record }
        if verdict.gone || attempts >= schedule.maxAttempts {
            record.status = .dead
        } else {
            record.status = .failed
            let delay = schedule.delay(afterAttempt: attempts, retryAfter: verdict.retryAfter, uniform: uniform)
            record.nextAttemptAt = clock().addingTimeInterval(delay)
        }
        return record
    }
}

/// How an attempt went, in the terms of API.md's rules of delivery.
struct Verdict: Sendable {
    let succeeded: Bool
    let responseStatus: Int?
    /// Why it failed, for `last_error`: never a header or body (they may carry secrets).
    let error: String?
    /// 410 Gone: the receiver asks never to be called again.
    let gone: Bool
    /// Seconds from a `Retry-After` on a 429 or 503.
    let retryAfter: Double?

    init(_ response: Result<HTTPClientResponse, HTTPClientError>, now: Date) {
        switch response {
        case .success(let response):
            let code = response.status.code
            succeeded = (200...299).contains(code)
            responseStatus = code
            error = succeeded ? nil : code == 410 ? "HTTP 410 Gone: endpoint disabled" : "HTTP \(code)"
            gone = code == 410
            retryAfter = code == 429 || code == 503 ? RetrySchedule.retryAfter(response.headers["Retry-After"], now: now) : nil
        case .failure(let failure):
            succeeded = false
            responseStatus = nil
            error = failure.description
            gone = false
            retryAfter = nil
        }
    }
}

/// Every compare-and-set on the endpoint's circuit lost: the attempt is made but its
/// outcome is not recorded; the claim lapses and the delivery is attempted again.
struct CircuitContention: Error, CustomStringConvertible {
    var description: String { "the endpoint's circuit changed on every try; the outcome was not recorded" }
}
