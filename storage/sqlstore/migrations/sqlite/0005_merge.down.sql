-- Reverts schema 5 (SQLite).
DROP TABLE merge_flow_addresses;
DROP TABLE merge_flows;
