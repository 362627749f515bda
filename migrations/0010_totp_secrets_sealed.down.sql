-- Reverts 0010. Sealed secrets cannot be opened in SQL, and dropping them would turn
-- second factors off without a word, so this refuses while any account has one: disable
-- TOTP for those accounts (or restore the pre-0010 backup) first. Legacy values that were
-- never sealed come back as they were.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM users
               WHERE totp_secret_sealed IS NOT NULL OR totp_pending_secret_sealed IS NOT NULL) THEN
        RAISE EXCEPTION 'cannot revert 0010: % account(s) hold sealed TOTP secrets that SQL cannot unseal',
            (SELECT count(*) FROM users WHERE totp_secret_sealed IS NOT NULL OR totp_pending_secret_sealed IS NOT NULL);
    END IF;
END $$;
ALTER TABLE users DROP COLUMN totp_secret_sealed, DROP COLUMN totp_pending_secret_sealed;
ALTER TABLE users RENAME COLUMN totp_secret_legacy TO totp_secret;
ALTER TABLE users RENAME COLUMN totp_pending_secret_legacy TO totp_pending_secret;
