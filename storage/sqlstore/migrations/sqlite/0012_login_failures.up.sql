-- usersettings schema 12 (SQLite): counters of failed password checks
-- (package account's LoginFailures), shared by every process on the
-- database; and the purpose of each code send, so that the send
-- throttle of package verification counts each purpose on its own.
--
-- A counter is its name's SHA-256 (no address, device or IP in clear),
-- how many failures it holds, when the latest was counted (last_at) and
-- when the one before it was (prev_at, NULL when none), so that the one
-- upsert of an attempt can return the counter as it was before. The
-- back-off rule lives in Go (account.Backoff).

CREATE TABLE us_login_failures (
    digest   BLOB    NOT NULL PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at  INTEGER NOT NULL,
    prev_at  INTEGER
) STRICT, WITHOUT ROWID;

ALTER TABLE us_code_sends ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
CREATE INDEX us_code_sends_purpose_idx ON us_code_sends (address, purpose, sent_at);
