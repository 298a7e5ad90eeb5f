-- usersettings schema 15 (SQLite): the revocation sequence and job leases
-- of several replicas (token.Revocations, storage.JobLocker).
--
-- One row holding a counter. Every change that revokes API keys (a key
-- revoked or deleted, an account deactivated or deleted, a password
-- changed) advances it in its own transaction; every replica reads it at
-- most every 250 ms and empties its cache of API key validations when it
-- moved. The row's write lock orders the bumps, so a value is seen
-- exactly when the change that made it is.

CREATE TABLE us_revocations (
    id  INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
) STRICT;
INSERT INTO us_revocations (id, seq) VALUES (1, 0);

-- The job locks of SQLite (storage.JobLocker; PostgreSQL uses advisory
-- locks): a row per job held by one process until its lease ends or the
-- holder releases it, so that one process at a time runs a cleanup.
CREATE TABLE us_job_leases (
    name        TEXT    NOT NULL PRIMARY KEY,
    holder      TEXT    NOT NULL,
    lease_until INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
