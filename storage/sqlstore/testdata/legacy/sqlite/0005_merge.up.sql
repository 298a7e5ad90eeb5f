-- usersettings schema 5 (SQLite): profile merge flows (package merge).
--
-- A flow holds the addresses of the other profile in clear, so it goes
-- with the account that started it (ON DELETE CASCADE) and is erased with
-- either profile by the merge package's personal data source. The profile
-- ids are not foreign keys on purpose: a flow must outlive the other
-- profile, which the merge deletes, to answer "already merged" rather
-- than "not found".

CREATE TABLE merge_flows (
    id               TEXT    NOT NULL PRIMARY KEY,
    account_id       TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    profile_id       TEXT    NOT NULL,
    other_profile_id TEXT    NOT NULL, -- '' when the address belongs to no profile
    state            TEXT    NOT NULL,
    fingerprint      TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX merge_flows_account_idx ON merge_flows (account_id);
CREATE INDEX merge_flows_profile_idx ON merge_flows (profile_id);
CREATE INDEX merge_flows_other_profile_idx ON merge_flows (other_profile_id);
CREATE INDEX merge_flows_expires_idx ON merge_flows (expires_at);

-- The addresses a flow offers for its code, in the order shown.
CREATE TABLE merge_flow_addresses (
    flow_id    TEXT    NOT NULL REFERENCES merge_flows (id) ON DELETE CASCADE,
    pos        INTEGER NOT NULL,
    address    TEXT    NOT NULL,
    masked     TEXT    NOT NULL,
    account_id TEXT    NOT NULL, -- '' for a recovery email or an unknown address
    PRIMARY KEY (flow_id, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX merge_flow_addresses_account_idx ON merge_flow_addresses (account_id);
