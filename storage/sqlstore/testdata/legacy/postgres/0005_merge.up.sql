-- usersettings schema 5 (PostgreSQL): profile merge flows (package merge).
--
-- A flow holds the addresses of the other profile in clear, so it goes
-- with the account that started it (ON DELETE CASCADE) and is erased with
-- either profile by the merge package's personal data source. The profile
-- ids are not foreign keys on purpose: a flow must outlive the other
-- profile, which the merge deletes, to answer "already merged" rather
-- than "not found".

CREATE TABLE merge_flows (
    id               text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id       text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    profile_id       text COLLATE "C" NOT NULL,
    other_profile_id text COLLATE "C" NOT NULL, -- '' when the address belongs to no profile
    state            text        NOT NULL,
    fingerprint      text        NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL
);
CREATE INDEX merge_flows_account_idx ON merge_flows (account_id);
CREATE INDEX merge_flows_profile_idx ON merge_flows (profile_id);
CREATE INDEX merge_flows_other_profile_idx ON merge_flows (other_profile_id);
CREATE INDEX merge_flows_expires_idx ON merge_flows (expires_at);

-- The addresses a flow offers for its code, in the order shown.
CREATE TABLE merge_flow_addresses (
    flow_id    text COLLATE "C" NOT NULL REFERENCES merge_flows (id) ON DELETE CASCADE,
    pos        integer NOT NULL,
    address    text COLLATE "C" NOT NULL,
    masked     text    NOT NULL,
    account_id text COLLATE "C" NOT NULL, -- '' for a recovery email or an unknown address
    PRIMARY KEY (flow_id, pos)
);
CREATE INDEX merge_flow_addresses_account_idx ON merge_flow_addresses (account_id);
