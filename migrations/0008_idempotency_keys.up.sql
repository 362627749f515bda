-- Stored responses of idempotent POSTs (API.md, Idempotency), one per caller and key.
-- A row is written in the same transaction as the writes of the request it answers, so it
-- exists exactly when they committed. Only answers below 500 are stored.
CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          text NOT NULL,
    -- SHA-256 of method, target and body: the same key with another request is refused.
    fingerprint  bytea NOT NULL,
    status       integer NOT NULL,
    content_type text,
    location     text,
    body         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key),
    CONSTRAINT idempotency_keys_key_length CHECK (octet_length(key) BETWEEN 1 AND 255),
    CONSTRAINT idempotency_keys_fingerprint_length CHECK (octet_length(fingerprint) = 32),
    CONSTRAINT idempotency_keys_status_range CHECK (status BETWEEN 200 AND 499)
);

-- The purge deletes by age.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
