-- usersettings schema 10 (SQLite): the security log a person sees
-- (package securitylog).
--
-- One row per event: sign-ins and their failures, second-factor and
-- password changes, tokens, accounts, merges, single-sign-on links and
-- support operations. No row holds a secret. Pages are read newest first
-- by keyset on (profile_id, at DESC, id DESC); the retention job deletes
-- by at.

CREATE TABLE us_security_events (
    id         TEXT    NOT NULL PRIMARY KEY,
    profile_id TEXT    NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    account_id TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    ip         TEXT    NOT NULL,
    device     TEXT    NOT NULL,
    admin      TEXT    NOT NULL,
    detail     TEXT    NOT NULL
) STRICT;
CREATE INDEX us_security_events_profile_idx ON us_security_events (profile_id, at DESC, id DESC);
CREATE INDEX us_security_events_at_idx ON us_security_events (at);
