-- Reverts schema 16 (PostgreSQL).
ALTER TABLE us_security_events DROP COLUMN session_id;
