-- Reverts 0006.
ALTER TABLE users DROP COLUMN credentials_version;
