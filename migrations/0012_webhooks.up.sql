-- Webhooks (API.md, Webhooks; docs/adr/0009). An endpoint's secret is sealed with
-- DATA_ENCRYPTION_KEY (AES-256-GCM, ADR 0006): a dump of this table alone reveals no
-- secret. Its circuit breaker lives in the row, so every instance and the API see one state.
CREATE TABLE webhook_endpoints (
    id                          uuid PRIMARY KEY,
    url                         text NOT NULL,
    -- Event types, or {*} for all of them.
    events                      text[] NOT NULL,
    description                 text,
    enabled                     boolean NOT NULL DEFAULT true,
    -- key id (1 byte) | nonce (12) | ciphertext | tag (16), as for TOTP secrets.
    secret_sealed               bytea NOT NULL,
    -- The secret a rotation replaced: deliveries are signed with both until it expires.
    previous_secret_sealed      bytea,
    previous_secret_expires_at  timestamptz,
    circuit_state               text NOT NULL DEFAULT 'closed',
    circuit_failures            integer NOT NULL DEFAULT 0,
    -- When the circuit opened, or when its half-open trial went out; NULL while closed.
    circuit_since               timestamptz,
    -- +1 on every circuit write: instances change the circuit by compare-and-set on it.
    circuit_generation          bigint NOT NULL DEFAULT 0,
    version                     bigint NOT NULL DEFAULT 1,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_endpoints_url_length CHECK (char_length(url) BETWEEN 1 AND 2048),
    CONSTRAINT webhook_endpoints_events_present CHECK (cardinality(events) >= 1),
    CONSTRAINT webhook_endpoints_secret_shape
        CHECK (octet_length(secret_sealed) >= 29 AND get_byte(secret_sealed, 0) <> 0),
    CONSTRAINT webhook_endpoints_previous_secret_shape
        CHECK (octet_length(previous_secret_sealed) >= 29 AND get_byte(previous_secret_sealed, 0) <> 0),
    CONSTRAINT webhook_endpoints_previous_secret_expiry
        CHECK ((previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL)),
    CONSTRAINT webhook_endpoints_circuit_state CHECK (circuit_state IN ('closed', 'open', 'half_open')),
    CONSTRAINT webhook_endpoints_circuit_since CHECK ((circuit_state = 'closed') = (circuit_since IS NULL)),
    CONSTRAINT webhook_endpoints_circuit_failures CHECK (circuit_failures >= 0),
    CONSTRAINT webhook_endpoints_version_positive CHECK (version >= 1)
);

CREATE INDEX webhook_endpoints_created_idx ON webhook_endpoints (created_at, id);
-- The fan-out of an event reads the enabled endpoints.
CREATE INDEX webhook_endpoints_enabled_idx ON webhook_endpoints (id) WHERE enabled;

-- One row per (endpoint, event). `body` is the exact JSON signed and sent, fixed when the
-- delivery is made, so every attempt sends the same bytes under the same webhook-id.
-- `claim_token`/`claimed_until`: the attempt in flight, so one delivery is never attempted
-- twice at once; a claim whose worker died lapses at `claimed_until`.
CREATE TABLE webhook_deliveries (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    endpoint_id           uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id              uuid NOT NULL,
    event_type            text NOT NULL,
    body                  text NOT NULL,
    status                text NOT NULL DEFAULT 'pending',
    attempts              integer NOT NULL DEFAULT 0,
    created_at            timestamptz NOT NULL DEFAULT now(),
    last_attempt_at       timestamptz,
    next_attempt_at       timestamptz,
    last_response_status  integer,
    last_error            text,
    claim_token           uuid,
    claimed_until         timestamptz,
    CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, event_id),
    CONSTRAINT webhook_deliveries_status CHECK (status IN ('pending', 'succeeded', 'failed', 'dead')),
    CONSTRAINT webhook_deliveries_attempts CHECK (attempts >= 0),
    CONSTRAINT webhook_deliveries_claim CHECK ((claim_token IS NULL) = (claimed_until IS NULL))
);

-- GET /webhooks/{id}/deliveries: newest first, keyset-paginated, optionally by status.
CREATE INDEX webhook_deliveries_endpoint_created_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
-- The retention purge.
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);
