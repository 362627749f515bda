-- A replayed answer carries the ETag the original carried: it names the stored body, which
-- is the representation the retry gets back (a later change to the resource does not alter
-- the replay). Rows written before this migration replay without one, as they did.
ALTER TABLE idempotency_keys ADD COLUMN etag text;
