-- Reverts schema 5 (PostgreSQL).
DROP TABLE merge_flow_addresses;
DROP TABLE merge_flows;
