-- Users. Emails are unique case-insensitively (API.md: "emails compare case-insensitively").
CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           text NOT NULL,
    name            text NOT NULL,
    password_hash   text NOT NULL,
    role            text NOT NULL DEFAULT 'customer',
    disabled        boolean NOT NULL DEFAULT false,
    deleted_at      timestamptz,
    -- TOTP (RFC 6238): the confirmed secret, a secret awaiting confirmation, and the
    -- last accepted time step so a code cannot be replayed within its window.
    totp_secret         bytea,
    totp_pending_secret bytea,
    totp_last_step      bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_role_known CHECK (role IN ('customer', 'admin')),
    CONSTRAINT users_email_length CHECK (char_length(email) BETWEEN 3 AND 254),
    CONSTRAINT users_name_length CHECK (char_length(name) BETWEEN 1 AND 100)
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
-- Keyset pagination for GET /users: sort key plus id.
CREATE INDEX users_created_at_id_idx ON users (created_at, id);
CREATE INDEX users_role_created_at_id_idx ON users (role, created_at, id);
