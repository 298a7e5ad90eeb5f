-- usersettings schema 12 (PostgreSQL): counters of failed password
-- checks (package account's LoginFailures), shared by every replica on
-- the database; and the purpose of each code send, so that the send
-- throttle of package verification counts each purpose on its own.
--
-- A counter is its name's SHA-256 (no address, device or IP in clear),
-- how many failures it holds, when the latest was counted (last_at) and
-- when the one before it was (prev_at, NULL when none), so that the one
-- upsert of an attempt can return the counter as it was before. The
-- back-off rule lives in Go (account.Backoff); the cleanup scans
-- last_at, which has no index: every attempt moves it.

CREATE TABLE us_login_failures (
    digest   bytea       NOT NULL PRIMARY KEY,
    failures integer     NOT NULL,
    last_at  timestamptz NOT NULL,
    prev_at  timestamptz
) WITH (fillfactor = 80);

ALTER TABLE us_code_sends ADD COLUMN purpose text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX us_code_sends_purpose_idx ON us_code_sends (address, purpose, sent_at);
