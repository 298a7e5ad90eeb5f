-- usersettings schema 8 (PostgreSQL): rate-limit buckets (package
-- ratelimit), shared by every replica on the database.
--
-- A bucket is its name's SHA-256 (no address or IP in clear) and the
-- time at which it is full again (the generic cell rate algorithm's
-- theoretical arrival time). A bucket whose time has passed is the same
-- as no bucket: DeleteFullRateBuckets deletes them. took records whether
-- the last take got a token, so the one upsert of a take can return it.
-- There is no index on full_at: every take moves it, and without an
-- index on it (and with room left in each page) the update of a take is
-- a HOT update that touches no index. Only the occasional cleanup scans.

CREATE TABLE us_rate_buckets (
    digest  bytea       NOT NULL PRIMARY KEY,
    full_at timestamptz NOT NULL,
    took    boolean     NOT NULL
) WITH (fillfactor = 80);
