-- Reverts schema 17 (SQLite).
DROP INDEX us_sessions_provider_session_idx;
ALTER TABLE us_sessions DROP COLUMN provider_session;
