-- usersettings schema 10 (PostgreSQL): the security log a person sees
-- (package securitylog).
--
-- One row per event: sign-ins and their failures, second-factor and
-- password changes, tokens, accounts, merges, single-sign-on links and
-- support operations. No row holds a secret. Pages are read newest first
-- by keyset on (profile_id, at DESC, id DESC); the retention job deletes
-- by at.

CREATE TABLE us_security_events (
    id         text COLLATE "C" NOT NULL PRIMARY KEY,
    profile_id text COLLATE "C" NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    account_id text COLLATE "C" NOT NULL,
    kind       text        NOT NULL,
    at         timestamptz NOT NULL,
    ip         text        NOT NULL,
    device     text        NOT NULL,
    admin      text        NOT NULL,
    detail     text        NOT NULL
);
CREATE INDEX us_security_events_profile_idx ON us_security_events (profile_id, at DESC, id DESC);
CREATE INDEX us_security_events_at_idx ON us_security_events (at);
