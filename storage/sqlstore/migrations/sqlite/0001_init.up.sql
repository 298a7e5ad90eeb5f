-- usersettings schema 1 (SQLite): profiles, avatars, community progress,
-- accounts, pending accounts, verification codes, the code send log and
-- the change history.
--
-- Times are INTEGER microseconds since the Unix epoch, UTC; the zero Go
-- time is stored as -62135596800000000. Booleans are INTEGER 0 or 1. Ids
-- are TEXT compared byte by byte (SQLite's BINARY collation).

CREATE TABLE us_profiles (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    job_title      TEXT    NOT NULL,
    department     TEXT    NOT NULL,
    country        TEXT    NOT NULL,
    about_you      TEXT    NOT NULL,
    skills         TEXT    NOT NULL, -- JSON array of strings
    industries     TEXT    NOT NULL, -- JSON array of strings
    twitter_url    TEXT    NOT NULL,
    linkedin_url   TEXT    NOT NULL,
    recovery_email TEXT    NOT NULL,
    public         INTEGER NOT NULL CHECK (public IN (0, 1)),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

-- The avatar image of a profile; deleting the profile deletes it.
CREATE TABLE us_avatars (
    profile_id   TEXT    NOT NULL PRIMARY KEY REFERENCES us_profiles (id) ON DELETE CASCADE,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    digest       TEXT    NOT NULL,
    data         BLOB    NOT NULL
) STRICT;

-- Community progress: points, achievements, certifications, Academy.
CREATE TABLE us_progress (
    profile_id TEXT    NOT NULL PRIMARY KEY REFERENCES us_profiles (id) ON DELETE CASCADE,
    points     INTEGER NOT NULL
) STRICT;

CREATE TABLE us_achievements (
    profile_id TEXT    NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    id         TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    awarded_at INTEGER NOT NULL,
    PRIMARY KEY (profile_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE us_certifications (
    profile_id  TEXT    NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    valid_until INTEGER NOT NULL,
    PRIMARY KEY (profile_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE us_academy_progress (
    profile_id TEXT    NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    course_id  TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    percent    INTEGER NOT NULL,
    completed  INTEGER NOT NULL CHECK (completed IN (0, 1)),
    PRIMARY KEY (profile_id, course_id)
) STRICT, WITHOUT ROWID;

-- Login accounts. A profile with accounts cannot be deleted (RESTRICT):
-- accounts are deleted or moved to another profile first, on purpose.
CREATE TABLE us_accounts (
    id                  TEXT    NOT NULL PRIMARY KEY,
    profile_id          TEXT    NOT NULL REFERENCES us_profiles (id) ON DELETE RESTRICT,
    email               TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    password_changed_at INTEGER NOT NULL,
    status              TEXT    NOT NULL,
    marketing           INTEGER NOT NULL CHECK (marketing IN (0, 1)),
    credits             INTEGER NOT NULL,
    created_at          INTEGER NOT NULL
) STRICT;
-- One account per email address, compared case-insensitively.
CREATE UNIQUE INDEX us_accounts_email_key ON us_accounts (lower(email));
CREATE INDEX us_accounts_profile_idx ON us_accounts (profile_id, created_at, id);

-- Sign-up and add-account requests waiting for their code. An add-account
-- request goes away with the profile it joins or the account that asked.
CREATE TABLE us_pending_accounts (
    id            TEXT    NOT NULL PRIMARY KEY,
    kind          TEXT    NOT NULL,
    email         TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    marketing     INTEGER NOT NULL CHECK (marketing IN (0, 1)),
    profile_id    TEXT    REFERENCES us_profiles (id) ON DELETE CASCADE,
    requested_by  TEXT    REFERENCES us_accounts (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX us_pending_accounts_expires_idx ON us_pending_accounts (expires_at);
CREATE INDEX us_pending_accounts_profile_idx ON us_pending_accounts (profile_id);
CREATE INDEX us_pending_accounts_requested_by_idx ON us_pending_accounts (requested_by);

-- One-time codes, stored as digests; one live code per purpose and flow.
CREATE TABLE us_verification_codes (
    id         TEXT    NOT NULL PRIMARY KEY,
    purpose    TEXT    NOT NULL,
    flow_id    TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    digest     BLOB    NOT NULL,
    attempts   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER -- NULL while unused
) STRICT;
CREATE UNIQUE INDEX us_verification_codes_digest_key ON us_verification_codes (digest);
CREATE UNIQUE INDEX us_verification_codes_flow_key ON us_verification_codes (purpose, flow_id);
CREATE INDEX us_verification_codes_expires_idx ON us_verification_codes (expires_at);
CREATE INDEX us_verification_codes_address_idx ON us_verification_codes (lower(address));

-- When a code was sent to an address, to throttle sending.
CREATE TABLE us_code_sends (
    id      INTEGER NOT NULL PRIMARY KEY,
    address TEXT    NOT NULL, -- lower case
    sent_at INTEGER NOT NULL
) STRICT;
CREATE INDEX us_code_sends_address_idx ON us_code_sends (address, sent_at);
CREATE INDEX us_code_sends_sent_at_idx ON us_code_sends (sent_at);

-- The change history of a profile's personal data; values are never
-- recorded. account_id is not a foreign key: the history of a deleted
-- account stays with its profile until the profile is erased.
CREATE TABLE us_history (
    id         TEXT    NOT NULL PRIMARY KEY,
    profile_id TEXT    NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    account_id TEXT    NOT NULL,
    item       TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX us_history_profile_idx ON us_history (profile_id, at, id);
