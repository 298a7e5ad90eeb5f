-- Reverts schema 20 (PostgreSQL).
ALTER TABLE us_profiles DROP COLUMN language;
