-- A counter that moves on with every change of a user's password (not with a rehash of the
-- same password): login checks it, under a row lock, in the transaction that creates the
-- session, so a login that verified a password just before it changed starts no session.
ALTER TABLE users ADD COLUMN credentials_version bigint NOT NULL DEFAULT 0;
