-- usersettings schema 2 (SQLite): personal access tokens and API keys.
--
-- Only the SHA-256 digest of a token or key is stored, never the secret.
-- A token's row is keyed by lookup, the first 8 bytes of its digest read
-- as a big-endian signed integer: as the rowid it gives the table a wide,
-- shallow B-tree, so validation reads few pages even with millions of
-- tokens, then compares the whole digest. Two digests sharing 8 bytes are
-- refused like a duplicate digest (the service then issues another
-- secret). Deleting an account deletes its tokens and keys (ON DELETE
-- CASCADE).

CREATE TABLE us_tokens (
    lookup       INTEGER NOT NULL PRIMARY KEY,
    digest       BLOB    NOT NULL,
    id           TEXT    NOT NULL,
    account_id   TEXT    NOT NULL REFERENCES us_accounts (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    scopes       TEXT    NOT NULL, -- JSON array of strings, sorted
    last4        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER, -- NULL until first used
    expires_at   INTEGER  -- NULL: never expires
) STRICT;
CREATE UNIQUE INDEX us_tokens_id_key ON us_tokens (id);
CREATE UNIQUE INDEX us_tokens_account_name_key ON us_tokens (account_id, name);
CREATE INDEX us_tokens_account_idx ON us_tokens (account_id, created_at, id);

CREATE TABLE us_api_keys (
    id          TEXT    NOT NULL PRIMARY KEY,
    account_id  TEXT    NOT NULL REFERENCES us_accounts (id) ON DELETE CASCADE,
    description TEXT    NOT NULL,
    digest      BLOB    NOT NULL,
    last4       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX us_api_keys_digest_key ON us_api_keys (digest);
CREATE INDEX us_api_keys_account_idx ON us_api_keys (account_id, created_at, id);
