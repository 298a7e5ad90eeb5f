-- usersettings schema 19 (PostgreSQL): the password-expiry warning last mailed
-- for an account (account.PasswordWarnings): the password change it is
-- about (its password_changed_at; NULL: none yet) and how long before
-- the expiry it was, in seconds. A new password makes it stale, so the
-- warnings start over; it goes with the account.
ALTER TABLE us_accounts ADD COLUMN password_warned_for timestamptz;
ALTER TABLE us_accounts ADD COLUMN password_warned_lead bigint NOT NULL DEFAULT 0;
