-- API keys act as their user, limited to their scopes. Only the SHA-256 of the key is
-- stored; `prefix` is the short visible part that lets a person tell keys apart.
CREATE TABLE api_keys (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL,
    prefix        text NOT NULL,
    key_hash      bytea NOT NULL,
    scopes        text[] NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    -- Set on the old key when it is rotated; it keeps working until expires_at.
    rotated_to    uuid REFERENCES api_keys (id) ON DELETE SET NULL,
    CONSTRAINT api_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT api_keys_hash_length CHECK (octet_length(key_hash) = 32),
    CONSTRAINT api_keys_scopes_known CHECK (
        scopes <@ ARRAY['products:read', 'products:write', 'orders:read', 'orders:write', 'users:read']::text[])
);
CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash);
-- GET /api-keys lists the caller's keys by creation time, keyset-paginated.
CREATE INDEX api_keys_user_created_at_id_idx ON api_keys (user_id, created_at, id);
