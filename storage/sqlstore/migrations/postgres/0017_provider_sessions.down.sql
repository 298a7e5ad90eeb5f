-- Reverts schema 17 (PostgreSQL).
DROP INDEX us_sessions_provider_session_idx;
ALTER TABLE us_sessions DROP COLUMN provider_session;
