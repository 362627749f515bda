-- Deleted (anonymized) accounts take no part in email uniqueness: a client could register
-- the anonymized form of another account's email and make that account's later delete fail
-- on the unique index. Anonymized emails become `deleted-<id>`, which no client can register
-- (no `@`), and the unique index covers live accounts only.
UPDATE users SET email = 'deleted-' || id::text WHERE deleted_at IS NOT NULL;
DROP INDEX users_email_lower_key;
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email)) WHERE deleted_at IS NULL;
