-- usersettings schema 15 (PostgreSQL): the revocation sequence
-- (token.Revocations).
--
-- One row holding a counter. Every change that revokes API keys (a key
-- revoked or deleted, an account deactivated or deleted, a password
-- changed) advances it in its own transaction; every replica reads it at
-- most every 250 ms and empties its cache of API key validations when it
-- moved. The row lock orders the bumps, so a value is seen exactly when
-- the change that made it commits (a SEQUENCE would not do: nextval is
-- visible before the commit).

CREATE TABLE us_revocations (
    id  smallint NOT NULL PRIMARY KEY CHECK (id = 1),
    seq bigint   NOT NULL
);
INSERT INTO us_revocations (id, seq) VALUES (1, 0);
