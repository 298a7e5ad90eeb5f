-- Reverts schema 5 (SQLite).
DROP TABLE us_merge_flow_addresses;
DROP TABLE us_merge_flows;
