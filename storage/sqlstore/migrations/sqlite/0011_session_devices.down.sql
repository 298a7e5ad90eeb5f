-- Reverts schema 11 (SQLite).
ALTER TABLE us_sessions DROP COLUMN user_agent;
ALTER TABLE us_sessions DROP COLUMN ip;
ALTER TABLE us_sessions DROP COLUMN authenticated_at;
ALTER TABLE us_sessions DROP COLUMN method;
