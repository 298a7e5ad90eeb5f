-- usersettings schema 14 (PostgreSQL): the recovery email is verified.
--
-- recovery_email is from now on only a confirmed address (the one merge
-- codes and recovery password resets may go to); an address that was set
-- but whose code was not confirmed yet waits in pending_recovery_email.
-- Recovery emails stored before this version were never verified, so
-- they become pending: their owner confirms them with a new code.
-- The index serves the password reset through the recovery email.

ALTER TABLE us_profiles ADD COLUMN pending_recovery_email text NOT NULL DEFAULT '';
UPDATE us_profiles SET pending_recovery_email = recovery_email, recovery_email = ''
    WHERE recovery_email <> '';
CREATE INDEX us_profiles_recovery_email_idx ON us_profiles (lower(recovery_email)) WHERE recovery_email <> '';
