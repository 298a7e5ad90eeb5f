-- Reverts schema 10 (SQLite).
DROP TABLE us_security_events;
