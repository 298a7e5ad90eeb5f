-- usersettings schema 8 (SQLite): rate-limit buckets (package ratelimit),
-- shared by every process on the database.
--
-- A bucket is its name's SHA-256 (no address or IP in clear) and the
-- time at which it is full again (the generic cell rate algorithm's
-- theoretical arrival time). A bucket whose time has passed is the same
-- as no bucket: DeleteFullRateBuckets deletes them. took records whether
-- the last take got a token, so the one upsert of a take can return it.
-- There is no index on full_at: every take moves it, and only the
-- occasional cleanup looks at it.

CREATE TABLE us_rate_buckets (
    digest  BLOB    NOT NULL PRIMARY KEY,
    full_at INTEGER NOT NULL,
    took    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
