-- TOTP secrets are sealed with DATA_ENCRYPTION_KEY (AES-256-GCM, ADR 0006) from now on.
-- SQL cannot seal without the key, so the plaintext columns are renamed `*_legacy` and
-- the application seals every legacy value and clears it in one pass when `migrate up`
-- or `serve` starts (TOTPService.sealLegacySecrets). Code that still reads `totp_secret`
-- fails instead of seeing "no second factor": an old instance cannot skip the check.
ALTER TABLE users RENAME COLUMN totp_secret TO totp_secret_legacy;
ALTER TABLE users RENAME COLUMN totp_pending_secret TO totp_pending_secret_legacy;
-- key id (1 byte) | nonce (12) | ciphertext | tag (16): never shorter than 29 bytes, so a
-- 20-byte plaintext secret written here by mistake is refused.
ALTER TABLE users
    ADD COLUMN totp_secret_sealed bytea CONSTRAINT users_totp_secret_sealed_shape
        CHECK (octet_length(totp_secret_sealed) >= 29 AND get_byte(totp_secret_sealed, 0) <> 0),
    ADD COLUMN totp_pending_secret_sealed bytea CONSTRAINT users_totp_pending_secret_sealed_shape
        CHECK (octet_length(totp_pending_secret_sealed) >= 29 AND get_byte(totp_pending_secret_sealed, 0) <> 0);
