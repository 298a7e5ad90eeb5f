-- Reverts schema 14 (SQLite): a pending recovery email becomes the
-- recovery email again where the profile has none.
DROP INDEX us_profiles_recovery_email_idx;
UPDATE us_profiles SET recovery_email = pending_recovery_email
    WHERE recovery_email = '' AND pending_recovery_email <> '';
ALTER TABLE us_profiles DROP COLUMN pending_recovery_email;
