-- Reverts schema 20 (SQLite).
ALTER TABLE us_profiles DROP COLUMN language;
