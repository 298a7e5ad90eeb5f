-- usersettings schema 4 (SQLite): two-factor authentication.
--
-- One row per account with a second factor or a pending enrolment; it goes
-- with the account (ON DELETE CASCADE). TOTP secrets are stored sealed
-- (AES-256-GCM with the host's key, by package twofactor), codes only as
-- HMAC digests. Times are INTEGER microseconds since the Unix epoch, UTC;
-- the zero Go time (-62135596800000000) means "none".
CREATE TABLE us_two_factor (
    account_id     TEXT    NOT NULL PRIMARY KEY REFERENCES us_accounts (id) ON DELETE CASCADE,
    method         TEXT    NOT NULL,
    enabled_at     INTEGER NOT NULL,
    secret         BLOB,             -- sealed TOTP secret; NULL for none
    phone          TEXT    NOT NULL, -- E.164 number of the SMS method
    pending_method TEXT    NOT NULL,
    pending_secret BLOB,
    pending_phone  TEXT    NOT NULL,
    pending_at     INTEGER NOT NULL,
    last_step      INTEGER NOT NULL, -- last TOTP time step accepted
    attempts       INTEGER NOT NULL, -- code attempts since the last success or lock
    locked_until   INTEGER NOT NULL,
    sms_digest     BLOB,             -- HMAC of the outstanding SMS code; NULL for none
    sms_sent_at    INTEGER NOT NULL,
    sms_expires_at INTEGER NOT NULL
) STRICT;

-- One-time recovery codes, as digests; used_at is NULL while unused.
CREATE TABLE us_two_factor_recovery_codes (
    account_id TEXT    NOT NULL REFERENCES us_two_factor (account_id) ON DELETE CASCADE,
    digest     BLOB    NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (account_id, digest)
) STRICT, WITHOUT ROWID;
