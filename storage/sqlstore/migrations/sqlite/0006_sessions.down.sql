-- Reverts schema 6 (SQLite).
DROP TABLE us_sessions;
