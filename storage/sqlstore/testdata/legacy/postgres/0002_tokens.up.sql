-- usersettings schema 2 (PostgreSQL): personal access tokens and API keys.
--
-- Only the SHA-256 digest of a token or key is stored, in a unique index:
-- validation is one indexed lookup joined to the account. Deleting an
-- account deletes its tokens and keys (ON DELETE CASCADE).

CREATE TABLE tokens (
    id           text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id   text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    scopes       text        NOT NULL, -- JSON array of strings, sorted
    digest       bytea       NOT NULL,
    last4        text        NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz, -- NULL until first used
    expires_at   timestamptz  -- NULL: never expires
);
CREATE UNIQUE INDEX tokens_digest_key ON tokens (digest);
CREATE UNIQUE INDEX tokens_account_name_key ON tokens (account_id, name);
CREATE INDEX tokens_account_idx ON tokens (account_id, created_at, id);

CREATE TABLE api_keys (
    id          text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id  text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    description text        NOT NULL,
    digest      bytea       NOT NULL,
    last4       text        NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX api_keys_digest_key ON api_keys (digest);
CREATE INDEX api_keys_account_idx ON api_keys (account_id, created_at, id);
