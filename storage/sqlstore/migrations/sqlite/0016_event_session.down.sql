-- Reverts schema 16 (SQLite).
ALTER TABLE us_security_events DROP COLUMN session_id;
