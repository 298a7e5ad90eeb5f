-- Reverts schema 19 (PostgreSQL).
ALTER TABLE us_accounts DROP COLUMN password_warned_lead;
ALTER TABLE us_accounts DROP COLUMN password_warned_for;
