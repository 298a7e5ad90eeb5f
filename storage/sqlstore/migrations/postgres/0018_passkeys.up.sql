-- usersettings schema 18 (PostgreSQL): passkeys (WebAuthn credentials) of
-- accounts, and the ceremonies begun and not yet finished (a challenge
-- each, used once, for a few minutes). Both follow their account: a
-- merge moves accounts, so their passkeys move with them, and deleting
-- an account deletes them.
CREATE TABLE us_passkeys (
    id                 text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id         text COLLATE "C" NOT NULL REFERENCES us_accounts (id) ON DELETE CASCADE,
    name               text        NOT NULL,
    credential_id      bytea       NOT NULL,
    public_key         bytea       NOT NULL,
    sign_count         bigint      NOT NULL CHECK (sign_count >= 0),
    transports         text        NOT NULL,
    backup_eligible    boolean     NOT NULL,
    backup_state       boolean     NOT NULL,
    aaguid             text        NOT NULL,
    user_handle        bytea       NOT NULL,
    attestation_format text        NOT NULL,
    created_at         timestamptz NOT NULL,
    last_used_at       timestamptz
);
CREATE UNIQUE INDEX us_passkeys_credential_key ON us_passkeys (credential_id);
CREATE INDEX us_passkeys_account_idx ON us_passkeys (account_id, created_at, id);
CREATE INDEX us_passkeys_user_handle_idx ON us_passkeys (user_handle);

CREATE TABLE us_passkey_ceremonies (
    digest     bytea       NOT NULL PRIMARY KEY,
    kind       text        NOT NULL,
    account_id text COLLATE "C" REFERENCES us_accounts (id) ON DELETE CASCADE,
    session_id text        NOT NULL,
    data       bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX us_passkey_ceremonies_expires_idx ON us_passkey_ceremonies (expires_at);
CREATE INDEX us_passkey_ceremonies_account_idx ON us_passkey_ceremonies (account_id);
