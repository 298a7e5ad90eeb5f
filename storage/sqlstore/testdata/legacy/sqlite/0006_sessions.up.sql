-- usersettings schema 6 (SQLite): sign-in sessions of the settingsd front
-- end (package session).
--
-- Only the SHA-256 digest of a session secret is stored, never the
-- secret. Deleting an account deletes its sessions (ON DELETE CASCADE).

CREATE TABLE sessions (
    id               TEXT    NOT NULL PRIMARY KEY,
    account_id       TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    digest           BLOB    NOT NULL,
    created_at       INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL,
    password_expired INTEGER NOT NULL CHECK (password_expired IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX sessions_digest_key ON sessions (digest);
CREATE INDEX sessions_account_idx ON sessions (account_id, created_at, id);
CREATE INDEX sessions_last_seen_idx ON sessions (last_seen_at);
CREATE INDEX sessions_created_idx ON sessions (created_at);
