import Foundation
import Postgres

/// Every SQL statement about the job queue (migration 0011, ADR 0008). Each claim and each
/// outcome is one statement; none leaves a row lock behind once it returns.
struct JobRepository: Sendable {
    func insert(kind: JobKind, payload: String, runAt: Date?, uniqueKey: String?,
                on db: any DatabaseSession) async throws -> UUID? {
        let sql: SQL = """
            INSERT INTO jobs (kind, payload, run_at, unique_key)
            VALUES ($1, $2::jsonb, COALESCE($3::timestamptz, now()), $4)
            ON CONFLICT (unique_key) DO NOTHING
            RETURNING id
            """
        return try await db.query(sql, [kind.name, payload, runAt, uniqueKey]).rows.first?.decode("id")
    }

    /// One job of `kind` per payload, due now, in one statement.
    func insert(kind: JobKind, payloads: [String], on db: any DatabaseSession) async throws {
        let sql: SQL = "INSERT INTO jobs (kind, payload) SELECT $1, p FROM unnest($2::jsonb[]) AS p"
        _ = try await db.query(sql, [kind.name, payloads])
    }

    /// Up to `limit` ready jobs of `kinds` whose time has come, oldest `run_at` first, each
    /// now `running` under a fresh token until `lease_until`. Rows another claimer has
    /// locked are skipped, not waited for, so concurrent claimers never share a job.
    func claim(kinds: [String], limit: Int, leaseSeconds: Double, on db: any DatabaseSession) async throws -> [ClaimedJob] {
        let sql: SQL = """
            UPDATE jobs SET state = 'running', attempt = attempt + 1, claim_token = gen_random_uuid(),
                lease_until = now() + make_interval(secs => $3::float8), updated_at = now()
            WHERE id IN (SELECT id FROM jobs
                         WHERE state = 'ready' AND run_at <= now() AND kind = ANY($1::text[])
                         ORDER BY run_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING id, kind, payload::text AS payload, attempt, claim_token
            """
        return try await db.query(sql, [kinds, limit, leaseSeconds]).rows.map { row in
            let text: String = try row.decode("payload")
            return ClaimedJob(id: try row.decode("id"), kind: JobKind(try row.decode("kind")),
                              payload: try JSONParser.parse(Array(text.utf8)), attempt: try row.decode("attempt"),
                              claimToken: try row.decode("claim_token"))
        }
    }

    /// The outcome of `job`, only while its claim is still the one on the row (the fence).
    /// False when it is not: the lease expired and the job was rescued or claimed again.
    func record(_ outcome: JobOutcome, for job: ClaimedJob, on db: any DatabaseSession) async throws -> Bool {
        let result: PostgresQueryResult
        switch outcome {
        case .done:
            let sql: SQL = """
                UPDATE jobs SET state = 'done', claim_token = NULL, lease_until = NULL, updated_at = now()
                WHERE id = $1 AND claim_token = $2 AND state = 'running'
                """
            result = try await db.query(sql, [job.id, job.claimToken])
        case .retry(let at, let error):
            let sql: SQL = """
                UPDATE jobs SET state = 'ready', run_at = $3, last_error = $4, claim_token = NULL,
                    lease_until = NULL, updated_at = now()
                WHERE id = $1 AND claim_token = $2 AND state = 'running'
                """
            result = try await db.query(sql, [job.id, job.claimToken, at, JobRepository.clip(error)])
        case .dead(let error):
            let sql: SQL = """
                UPDATE jobs SET state = 'dead', last_error = $3, claim_token = NULL, lease_until = NULL,
                    updated_at = now()
                WHERE id = $1 AND claim_token = $2 AND state = 'running'
                """
            result = try await db.query(sql, [job.id, job.claimToken, JobRepository.clip(error)])
        case .postpone(let until):
            result = try await giveBack(job, runAt: until, on: db)
        }
        return result.affectedRows == 1
    }

    /// Back to `ready` without spending the attempt (postponed, or released at shutdown).
    func giveBack(_ job: ClaimedJob, runAt: Date?, on db: any DatabaseSession) async throws -> PostgresQueryResult {
        let sql: SQL = """
            UPDATE jobs SET state = 'ready', run_at = COALESCE($3::timestamptz, now()),
                attempt = GREATEST(attempt - 1, 0), claim_token = NULL, lease_until = NULL, updated_at = now()
            WHERE id = $1 AND claim_token = $2 AND state = 'running'
            """
        return try await db.query(sql, [job.id, job.claimToken, runAt])
    }

    /// Pushes the lease of a job still being worked on further out (the heartbeat).
    func extendLease(of job: ClaimedJob, seconds: Double, on db: any DatabaseSession) async throws -> Bool {
        let sql: SQL = """
            UPDATE jobs SET lease_until = now() + make_interval(secs => $3::float8)
            WHERE id = $1 AND claim_token = $2 AND state = 'running'
            """
        return try await db.query(sql, [job.id, job.claimToken, seconds]).affectedRows == 1
    }

    /// Running jobs whose lease ran out (their worker died or lost the database) go back to
    /// `ready`; the attempt they started stays spent, which bounds a job that kills its worker.
    func rescueExpired(on db: any DatabaseSession) async throws -> Int {
        let sql: SQL = """
            UPDATE jobs SET state = 'ready', claim_token = NULL, lease_until = NULL,
                last_error = 'lease expired', updated_at = now()
            WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_until < now()
                         LIMIT 1000 FOR UPDATE SKIP LOCKED)
            """
        return try await db.query(sql, []).affectedRows
    }

    /// One run of each periodic job for the current slot of its interval, by the database's
    /// clock (one clock for every instance). A run is not added while an earlier one of the
    /// same kind is still ready or running, so runs never overlap. Returns how many it added.
    func enqueuePeriodic(kinds: [String], intervalSeconds: [Int], on db: any DatabaseSession) async throws -> Int {
        let sql: SQL = """
            INSERT INTO jobs (kind, unique_key)
            SELECT p.kind, p.kind || ':' || floor(extract(epoch FROM now()) / p.secs)::bigint
            FROM unnest($1::text[], $2::int[]) AS p (kind, secs)
            WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = p.kind AND j.state IN ('ready', 'running'))
            ON CONFLICT (unique_key) DO NOTHING
            """
        return try await db.query(sql, [kinds, intervalSeconds]).affectedRows
    }

    /// Deletes finished jobs: `done` after `doneSeconds`, `dead` after `deadSeconds`.
    func purgeFinished(doneSeconds: Int, deadSeconds: Int, on db: any DatabaseSession) async throws -> Int {
        let sql: SQL = """
            DELETE FROM jobs
            WHERE (state = 'done' AND updated_at < now() - make_interval(secs => $1::int))
               OR (state = 'dead' AND updated_at < now() - make_interval(secs => $2::int))
            """
        return try await db.query(sql, [doneSeconds, deadSeconds]).affectedRows
    }

    /// Per kind with anything pending: how many are ready and running, how long the oldest
    /// due ready job has waited, and the age of the oldest pending one.
    func figures(on db: any DatabaseSession) async throws -> [JobKindFigures] {
        let sql: SQL = """
            SELECT kind,
                count(*) FILTER (WHERE state = 'ready') AS ready,
                count(*) FILTER (WHERE state = 'running') AS running,
                COALESCE(extract(epoch FROM now() - min(run_at) FILTER (WHERE state = 'ready' AND run_at <= now())),
                         0)::float8 AS oldest_ready_seconds,
                extract(epoch FROM now() - min(created_at))::float8 AS oldest_pending_seconds
            FROM jobs WHERE state IN ('ready', 'running')
            GROUP BY kind ORDER BY kind
            """
        return try await db.query(sql, []).rows.map { row in
            JobKindFigures(kind: JobKind(try row.decode("kind")), ready: try row.decode("ready"),
                           running: try row.decode("running"), oldestReadySeconds: try row.decode("oldest_ready_seconds"),
                           oldestPendingSeconds: try row.decode("oldest_pending_seconds"))
        }
    }

    /// `last_error` is for people reading it; a handler's message is cut to a sane size.
    static func clip(_ error: String) -> String { String(error.prefix(2000)) }
}

/// What `/metrics` shows of one kind's pending jobs.
struct JobKindFigures: Sendable, Equatable {
    let kind: JobKind
    let ready: Int
    let running: Int
    let oldestReadySeconds: Double
    let oldestPendingSeconds: Double
}
