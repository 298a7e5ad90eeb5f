-- usersettings schema 4 (PostgreSQL): two-factor authentication.
--
-- One row per account with a second factor or a pending enrolment; it goes
-- with the account (ON DELETE CASCADE). TOTP secrets are stored sealed
-- (AES-256-GCM with the host's key, by package twofactor), codes only as
-- HMAC digests. The zero Go time (0001-01-01 00:00:00+00) means "none".
CREATE TABLE two_factor (
    account_id     text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    method         text        NOT NULL,
    enabled_at     timestamptz NOT NULL,
    secret         bytea,                -- sealed TOTP secret; NULL for none
    phone          text        NOT NULL, -- E.164 number of the SMS method
    pending_method text        NOT NULL,
    pending_secret bytea,
    pending_phone  text        NOT NULL,
    pending_at     timestamptz NOT NULL,
    last_step      bigint      NOT NULL, -- last TOTP time step accepted
    attempts       integer     NOT NULL, -- code attempts since the last success or lock
    locked_until   timestamptz NOT NULL,
    sms_digest     bytea,                -- HMAC of the outstanding SMS code; NULL for none
    sms_sent_at    timestamptz NOT NULL,
    sms_expires_at timestamptz NOT NULL
);

-- One-time recovery codes, as digests; used_at is NULL while unused.
CREATE TABLE two_factor_recovery_codes (
    account_id text COLLATE "C" NOT NULL REFERENCES two_factor (account_id) ON DELETE CASCADE,
    digest     bytea       NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (account_id, digest)
);
