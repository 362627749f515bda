-- The durable job queue and the transactional outbox (ADR 0008).
--
-- A job is enqueued in the transaction of the change that causes it, so it exists exactly
-- when that change committed. A worker claims ready jobs with one UPDATE (FOR UPDATE SKIP
-- LOCKED inside), which sets a fresh claim_token and lease_until and commits before the
-- work starts; every outcome is one UPDATE fenced by that token, so a worker whose lease
-- ran out (and whose job another worker now holds) cannot overwrite the new owner's result.
CREATE TABLE jobs (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind         text NOT NULL,
    payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
    state        text NOT NULL DEFAULT 'ready',
    -- Attempts started; a postponed or released job gives its attempt back.
    attempt      integer NOT NULL DEFAULT 0,
    run_at       timestamptz NOT NULL DEFAULT now(),
    claim_token  uuid,
    lease_until  timestamptz,
    last_error   text,
    -- At most one job per key (periodic runs: one per name and time slot). NULLs are distinct.
    unique_key   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT jobs_state_known CHECK (state IN ('ready', 'running', 'done', 'dead')),
    CONSTRAINT jobs_kind_length CHECK (char_length(kind) BETWEEN 1 AND 200),
    CONSTRAINT jobs_attempt_nonnegative CHECK (attempt >= 0),
    -- A running job always has an owner and a lease; no other job has either.
    CONSTRAINT jobs_lease_iff_running CHECK (
        ((state = 'running') = (claim_token IS NOT NULL)) AND ((claim_token IS NULL) = (lease_until IS NULL)))
);

CREATE UNIQUE INDEX jobs_unique_key_key ON jobs (unique_key);
-- The claim: the ready jobs whose time has come, oldest run_at first.
CREATE INDEX jobs_ready_run_at_idx ON jobs (run_at) WHERE state = 'ready';
-- The rescuer: running jobs whose lease ran out.
CREATE INDEX jobs_running_lease_idx ON jobs (lease_until) WHERE state = 'running';
-- Pending jobs by kind: the periodic "no run in progress" check, /metrics and outbox lag.
CREATE INDEX jobs_pending_kind_idx ON jobs (kind, created_at) WHERE state IN ('ready', 'running');
-- The purge of finished jobs.
CREATE INDEX jobs_finished_updated_at_idx ON jobs (updated_at) WHERE state IN ('done', 'dead');

-- The outbox: one row per order or product change, written in the change's transaction.
-- `data` is `json`, not `jsonb`: it keeps the resource byte for byte as the API rendered
-- it (jsonb would reorder the keys), and nothing queries inside it.
CREATE TABLE events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    type        text NOT NULL,
    data        json NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_type_format CHECK (type ~ '^[a-z]+\.[a-z_]+$')
);
CREATE INDEX events_created_at_idx ON events (created_at);
