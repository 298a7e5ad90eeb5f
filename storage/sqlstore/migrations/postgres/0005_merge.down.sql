-- Reverts schema 5 (PostgreSQL).
DROP TABLE us_merge_flow_addresses;
DROP TABLE us_merge_flows;
