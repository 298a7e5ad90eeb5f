-- Reverts schema 6 (SQLite).
DROP TABLE sessions;
