-- Reverts 0005: the unique index covers every row again. Anonymized emails keep the
-- `deleted-<id>` form, which cannot equal any live address, so the index builds.
DROP INDEX users_email_lower_key;
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
