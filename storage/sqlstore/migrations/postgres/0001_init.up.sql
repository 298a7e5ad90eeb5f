-- usersettings schema 1 (PostgreSQL): profiles, avatars, community
-- progress, accounts, pending accounts, verification codes, the code send
-- log and the change history.
--
-- Times are timestamptz (microseconds, UTC); the zero Go time is stored as
-- 0001-01-01 00:00:00+00. Ids and emails use the "C" collation, so they
-- sort byte by byte on every server, as on SQLite; emails are ASCII.

CREATE TABLE us_profiles (
    id             text COLLATE "C" NOT NULL PRIMARY KEY,
    name           text        NOT NULL,
    job_title      text        NOT NULL,
    department     text        NOT NULL,
    country        text        NOT NULL,
    about_you      text        NOT NULL,
    skills         text        NOT NULL, -- JSON array of strings
    industries     text        NOT NULL, -- JSON array of strings
    twitter_url    text        NOT NULL,
    linkedin_url   text        NOT NULL,
    recovery_email text        NOT NULL,
    public         boolean     NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

-- The avatar image of a profile; deleting the profile deletes it.
CREATE TABLE us_avatars (
    profile_id   text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES us_profiles (id) ON DELETE CASCADE,
    content_type text    NOT NULL,
    size         integer NOT NULL,
    width        integer NOT NULL,
    height       integer NOT NULL,
    digest       text    NOT NULL,
    data         bytea   NOT NULL
);

-- Community progress: points, achievements, certifications, Academy.
CREATE TABLE us_progress (
    profile_id text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES us_profiles (id) ON DELETE CASCADE,
    points     bigint NOT NULL
);

CREATE TABLE us_achievements (
    profile_id text COLLATE "C" NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    id         text COLLATE "C" NOT NULL,
    name       text        NOT NULL,
    awarded_at timestamptz NOT NULL,
    PRIMARY KEY (profile_id, id)
);

CREATE TABLE us_certifications (
    profile_id  text COLLATE "C" NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    id          text COLLATE "C" NOT NULL,
    name        text        NOT NULL,
    valid_until timestamptz NOT NULL,
    PRIMARY KEY (profile_id, id)
);

CREATE TABLE us_academy_progress (
    profile_id text COLLATE "C" NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    course_id  text COLLATE "C" NOT NULL,
    title      text    NOT NULL,
    percent    integer NOT NULL,
    completed  boolean NOT NULL,
    PRIMARY KEY (profile_id, course_id)
);

-- Login accounts. A profile with accounts cannot be deleted (RESTRICT):
-- accounts are deleted or moved to another profile first, on purpose.
CREATE TABLE us_accounts (
    id                  text COLLATE "C" NOT NULL PRIMARY KEY,
    profile_id          text COLLATE "C" NOT NULL REFERENCES us_profiles (id) ON DELETE RESTRICT,
    email               text COLLATE "C" NOT NULL,
    password_hash       text        NOT NULL,
    password_changed_at timestamptz NOT NULL,
    status              text        NOT NULL,
    marketing           boolean     NOT NULL,
    credits             bigint      NOT NULL,
    created_at          timestamptz NOT NULL
);
-- One account per email address, compared case-insensitively.
CREATE UNIQUE INDEX us_accounts_email_key ON us_accounts (lower(email));
CREATE INDEX us_accounts_profile_idx ON us_accounts (profile_id, created_at, id);

-- Sign-up and add-account requests waiting for their code. An add-account
-- request goes away with the profile it joins or the account that asked.
CREATE TABLE us_pending_accounts (
    id            text COLLATE "C" NOT NULL PRIMARY KEY,
    kind          text        NOT NULL,
    email         text COLLATE "C" NOT NULL,
    password_hash text        NOT NULL,
    marketing     boolean     NOT NULL,
    profile_id    text COLLATE "C" REFERENCES us_profiles (id) ON DELETE CASCADE,
    requested_by  text COLLATE "C" REFERENCES us_accounts (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX us_pending_accounts_expires_idx ON us_pending_accounts (expires_at);
CREATE INDEX us_pending_accounts_profile_idx ON us_pending_accounts (profile_id);
CREATE INDEX us_pending_accounts_requested_by_idx ON us_pending_accounts (requested_by);

-- One-time codes, stored as digests; one live code per purpose and flow.
CREATE TABLE us_verification_codes (
    id         text COLLATE "C" NOT NULL PRIMARY KEY,
    purpose    text COLLATE "C" NOT NULL,
    flow_id    text COLLATE "C" NOT NULL,
    address    text COLLATE "C" NOT NULL,
    digest     bytea       NOT NULL,
    attempts   integer     NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz -- NULL while unused
);
CREATE UNIQUE INDEX us_verification_codes_digest_key ON us_verification_codes (digest);
CREATE UNIQUE INDEX us_verification_codes_flow_key ON us_verification_codes (purpose, flow_id);
CREATE INDEX us_verification_codes_expires_idx ON us_verification_codes (expires_at);
CREATE INDEX us_verification_codes_address_idx ON us_verification_codes (lower(address));

-- When a code was sent to an address, to throttle sending.
CREATE TABLE us_code_sends (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address text COLLATE "C" NOT NULL, -- lower case
    sent_at timestamptz NOT NULL
);
CREATE INDEX us_code_sends_address_idx ON us_code_sends (address, sent_at);
CREATE INDEX us_code_sends_sent_at_idx ON us_code_sends (sent_at);

-- The change history of a profile's personal data; values are never
-- recorded. account_id is not a foreign key: the history of a deleted
-- account stays with its profile until the profile is erased.
CREATE TABLE us_history (
    id         text COLLATE "C" NOT NULL PRIMARY KEY,
    profile_id text COLLATE "C" NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    account_id text COLLATE "C" NOT NULL,
    item       text        NOT NULL,
    action     text        NOT NULL,
    detail     text        NOT NULL,
    at         timestamptz NOT NULL
);
CREATE INDEX us_history_profile_idx ON us_history (profile_id, at, id);
