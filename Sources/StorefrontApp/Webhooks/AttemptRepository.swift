import Foundation
import Postgres
import Resilience

/// An endpoint's circuit as stored, with the generation a compare-and-set names.
struct StoredCircuit: Sendable, Equatable {
    let phase: CircuitBreaker.Phase
    let failures: Int
    let since: Date?
    let generation: Int64

    func breaker(_ policy: CircuitBreaker.Policy) -> CircuitBreaker? {
        CircuitBreaker(policy: policy, phase: phase, consecutiveFailures: failures, since: since)
    }
}

/// A delivery this worker holds for one attempt, with what the attempt needs.
struct ClaimedDelivery: Sendable {
    let id: UUID
    let endpointID: UUID
    let eventID: UUID
    let body: String
    let attempts: Int
    let url: String
    let endpointEnabled: Bool
    let sealedSecret: [UInt8]
    /// The secret a rotation replaced, while its grace period lasts.
    let sealedPreviousSecret: [UInt8]?
    let circuit: StoredCircuit
}

/// Why a delivery could not be claimed.
enum ClaimRefusal: Error, Sendable, Equatable {
    /// Gone (its endpoint deleted, or purged), succeeded or dead: nothing left to do.
    case finished
    /// Not due before this time.
    case notDue(Date)
    /// Another worker holds it until then.
    case held(until: Date)
}

/// What an attempt leaves behind in the delivery row.
struct AttemptRecord: Sendable {
    var status: DeliveryStatus
    var attempts: Int
    var lastAttemptAt: Date
    var nextAttemptAt: Date?
    var responseStatus: Int?
    var error: String?
}

/// The statements of one delivery attempt, each short and on its own (autocommit): the
/// claim, a circuit change, and the outcome. No row lock is held across the network call;
/// the claim (`claim_token` until `claimed_until`) keeps other workers off meanwhile.
struct AttemptRepository: Sendable {
    private static let circuitColumns: SQL = "circuit_state, circuit_failures, circuit_since, circuit_generation"

    func claim(id: UUID, token: UUID, now: Date, until: Date,
               on db: any DatabaseSession) async throws -> Result<ClaimedDelivery, ClaimRefusal> {
        let sql: SQL = """
            UPDATE webhook_deliveries d SET claim_token = $2, claimed_until = $4
            FROM webhook_endpoints e
            WHERE d.id = $1 AND e.id = d.endpoint_id AND d.status IN ('pending', 'failed')
              AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $3)
              AND (d.claimed_until IS NULL OR d.claimed_until <= $3)
            RETURNING d.id, d.endpoint_id, d.event_id, d.body, d.attempts, e.url, e.enabled, e.secret_sealed,
                CASE WHEN e.previous_secret_expires_at > $3 THEN e.previous_secret_sealed END AS previous_secret_sealed,
                e.circuit_state, e.circuit_failures, e.circuit_since, e.circuit_generation
            """
        if let row = try await db.query(sql, [id, token, now, until]).rows.first {
            return .success(ClaimedDelivery(
                id: try row.decode("id"), endpointID: try row.decode("endpoint_id"), eventID: try row.decode("event_id"),
                body: try row.decode("body"), attempts: try row.decode("attempts"), url: try row.decode("url"),
                endpointEnabled: try row.decode("enabled"), sealedSecret: try row.decode("secret_sealed"),
                sealedPreviousSecret: try row.decode("previous_secret_sealed"), circuit: try StoredCircuit(row: row)))
        }
        let why: SQL = "SELECT status, next_attempt_at, claimed_until FROM webhook_deliveries WHERE id = $1"
        guard let row = try await db.query(why, [id]).rows.first,
              ["pending", "failed"].contains(try row.decode("status", as: String.self)) else { return .failure(.finished) }
        if let held = try row.decode("claimed_until", as: Date?.self), held > now { return .failure(.held(until: held)) }
        return .failure(.notDue(try row.decode("next_attempt_at", as: Date?.self) ?? now))
    }

    func circuit(endpointID: UUID, on db: any DatabaseSession) async throws -> StoredCircuit? {
        let sql: SQL = "SELECT " + AttemptRepository.circuitColumns + " FROM webhook_endpoints WHERE id = $1"
        return try await db.query(sql, [endpointID]).rows.first.map(StoredCircuit.init)
    }

    /// Writes `breaker` when the circuit is still at `generation`; false when another
    /// attempt changed it first (the caller reads it again and recomputes).
    func setCircuit(endpointID: UUID, generation: Int64, to breaker: CircuitBreaker,
                    on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = """
            UPDATE webhook_endpoints SET circuit_state = $3, circuit_failures = $4, circuit_since = $5,
                circuit_generation = circuit_generation + 1
            WHERE id = $1 AND circuit_generation = $2
            """
        let binds: [any PostgresEncodable] = [endpointID, generation, breaker.phase.rawValue,
                                              breaker.consecutiveFailures, breaker.since]
        return try await db.query(sql, binds).affectedRows == 1
    }

    /// The outcome and the circuit's transition in one statement: both or neither, so the
    /// breaker never counts an attempt the delivery does not show. False when the circuit
    /// moved since `generation` (nothing written; recompute and call again). `disable`:
    /// the receiver answered 410 Gone.
    func finish(_ claimed: ClaimedDelivery, token: UUID, record: AttemptRecord, generation: Int64,
                breaker: CircuitBreaker, disable: Bool, on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = """
            WITH e AS (
                UPDATE webhook_endpoints SET circuit_state = $3, circuit_failures = $4, circuit_since = $5,
                    circuit_generation = circuit_generation + 1,
                    enabled = enabled AND NOT $6::boolean,
                    version = version + CASE WHEN $6::boolean AND enabled THEN 1 ELSE 0 END,
                    updated_at = CASE WHEN $6::boolean AND enabled THEN now() ELSE updated_at END
                WHERE id = $1 AND circuit_generation = $2 RETURNING id
            ), d AS (
                UPDATE webhook_deliveries SET status = $9, attempts = $10, last_attempt_at = $11,
                    next_attempt_at = $12, last_response_status = $13, last_error = $14,
                    claim_token = NULL, claimed_until = NULL
                WHERE id = $7 AND claim_token = $8 AND EXISTS (SELECT 1 FROM e) RETURNING id
            )
            SELECT (SELECT count(*) FROM e) AS endpoints
            """
        let binds: [any PostgresEncodable] = [
            claimed.endpointID, generation, breaker.phase.rawValue, breaker.consecutiveFailures, breaker.since, disable,
            claimed.id, token, record.status.rawValue, record.attempts, record.lastAttemptAt, record.nextAttemptAt,
            record.responseStatus, record.error,
        ]
        guard let row = try await db.query(sql, binds).rows.first else { return false }
        return try row.decode("endpoints", as: Int.self) == 1
    }

    /// Gives the claim back without spending an attempt, due again at `at`.
    func release(id: UUID, token: UUID, dueAt at: Date, on db: any DatabaseSession) async throws {
        let sql: SQL = """
            UPDATE webhook_deliveries SET claim_token = NULL, claimed_until = NULL, next_attempt_at = $3
            WHERE id = $1 AND claim_token = $2
            """
        _ = try await db.query(sql, [id, token, at])
    }

    /// Ends a delivery without an attempt (its endpoint is disabled): dead, with why.
    func abandon(id: UUID, token: UUID, reason: String, on db: any DatabaseSession) async throws {
        let sql: SQL = """
            UPDATE webhook_deliveries SET status = 'dead', next_attempt_at = NULL, last_error = $3,
                claim_token = NULL, claimed_until = NULL
            WHERE id = $1 AND claim_token = $2
            """
        _ = try await db.query(sql, [id, token, reason])
    }
}

extension StoredCircuit {
    init(row: PostgresRow) throws {
        guard let phase = CircuitBreaker.Phase(rawValue: try row.decode("circuit_state", as: String.self)) else {
            throw PostgresError.decoding(column: "circuit_state", expected: "closed, open or half_open", actual: "other")
        }
        self.init(phase: phase, failures: try row.decode("circuit_failures"), since: try row.decode("circuit_since"),
                  generation: try row.decode("circuit_generation"))
    }
}
