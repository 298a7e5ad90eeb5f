-- Reverts schema 12 (PostgreSQL).
DROP INDEX us_code_sends_purpose_idx;
ALTER TABLE us_code_sends DROP COLUMN purpose;
DROP TABLE us_login_failures;
