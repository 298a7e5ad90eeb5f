-- usersettings schema 11 (SQLite): how and when a session's person last
-- proved who they are, and the client that did (package session).
--
-- Sessions that existed before count as password sign-ins authenticated
-- when they began.

ALTER TABLE us_sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
ALTER TABLE us_sessions ADD COLUMN authenticated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE us_sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE us_sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
UPDATE us_sessions SET authenticated_at = created_at;
