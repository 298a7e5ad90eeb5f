-- usersettings schema 18 (SQLite): passkeys (WebAuthn credentials) of
-- accounts, and the ceremonies begun and not yet finished (a challenge
-- each, used once, for a few minutes). Both follow their account: a
-- merge moves accounts, so their passkeys move with them, and deleting
-- an account deletes them.
CREATE TABLE us_passkeys (
    id                 TEXT    NOT NULL PRIMARY KEY,
    account_id         TEXT    NOT NULL REFERENCES us_accounts (id) ON DELETE CASCADE,
    name               TEXT    NOT NULL,
    credential_id      BLOB    NOT NULL,
    public_key         BLOB    NOT NULL,
    sign_count         INTEGER NOT NULL CHECK (sign_count >= 0),
    transports         TEXT    NOT NULL,
    backup_eligible    INTEGER NOT NULL CHECK (backup_eligible IN (0, 1)),
    backup_state       INTEGER NOT NULL CHECK (backup_state IN (0, 1)),
    aaguid             TEXT    NOT NULL,
    user_handle        BLOB    NOT NULL,
    attestation_format TEXT    NOT NULL,
    created_at         INTEGER NOT NULL,
    last_used_at       INTEGER
) STRICT;
CREATE UNIQUE INDEX us_passkeys_credential_key ON us_passkeys (credential_id);
CREATE INDEX us_passkeys_account_idx ON us_passkeys (account_id, created_at, id);
CREATE INDEX us_passkeys_user_handle_idx ON us_passkeys (user_handle);

CREATE TABLE us_passkey_ceremonies (
    digest     BLOB    NOT NULL PRIMARY KEY,
    kind       TEXT    NOT NULL,
    account_id TEXT    REFERENCES us_accounts (id) ON DELETE CASCADE,
    session_id TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX us_passkey_ceremonies_expires_idx ON us_passkey_ceremonies (expires_at);
CREATE INDEX us_passkey_ceremonies_account_idx ON us_passkey_ceremonies (account_id);
