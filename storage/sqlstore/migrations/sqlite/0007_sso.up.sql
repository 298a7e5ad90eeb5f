-- usersettings schema 7 (SQLite): single sign-on (package account/sso).
--
-- A connection is a company that signs its people in through its own
-- OpenID Provider. Its client secret is stored sealed (AES-256-GCM with
-- the host's key), never in clear. An email domain belongs to at most one
-- connection (the primary key of us_sso_domains). Sign-in flows are kept
-- server-side for ten minutes and used once: only digests of their state
-- and nonce and the sealed PKCE verifier are stored.
--
-- Accounts gain the connection they sign in through and the provider's
-- subject of the person; one account per connection and subject.

CREATE TABLE us_sso_connections (
    id                   TEXT    NOT NULL PRIMARY KEY,
    name                 TEXT    NOT NULL,
    issuer               TEXT    NOT NULL,
    client_id            TEXT    NOT NULL,
    client_secret        BLOB    NOT NULL, -- sealed; empty for a public client
    scopes               TEXT    NOT NULL, -- JSON array of strings
    claim_email          TEXT    NOT NULL,
    claim_email_verified TEXT    NOT NULL,
    claim_name           TEXT    NOT NULL,
    link_policy          TEXT    NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
) STRICT;

CREATE TABLE us_sso_domains (
    domain        TEXT NOT NULL PRIMARY KEY, -- lower case
    connection_id TEXT NOT NULL REFERENCES us_sso_connections (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX us_sso_domains_connection_idx ON us_sso_domains (connection_id);

CREATE TABLE us_sso_flows (
    state_digest  BLOB    NOT NULL PRIMARY KEY,
    connection_id TEXT    NOT NULL REFERENCES us_sso_connections (id) ON DELETE CASCADE,
    nonce_digest  BLOB    NOT NULL,
    verifier      BLOB    NOT NULL, -- sealed PKCE code verifier
    return_to     TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX us_sso_flows_expires_idx ON us_sso_flows (expires_at);
CREATE INDEX us_sso_flows_connection_idx ON us_sso_flows (connection_id);

ALTER TABLE us_accounts ADD COLUMN sso_connection TEXT; -- NULL for a password account
ALTER TABLE us_accounts ADD COLUMN sso_subject TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX us_accounts_sso_subject_key ON us_accounts (sso_connection, sso_subject)
    WHERE sso_connection IS NOT NULL;
