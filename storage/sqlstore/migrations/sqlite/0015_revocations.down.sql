-- Reverts schema 15 (SQLite).
DROP TABLE us_revocations;
