-- Reverts schema 7 (SQLite).
DROP INDEX us_accounts_sso_subject_key;
ALTER TABLE us_accounts DROP COLUMN sso_subject;
ALTER TABLE us_accounts DROP COLUMN sso_connection;
DROP TABLE us_sso_flows;
DROP TABLE us_sso_domains;
DROP TABLE us_sso_connections;
