-- usersettings schema 11 (PostgreSQL): how and when a session's person
-- last proved who they are, and the client that did (package session).
--
-- Sessions that existed before count as password sign-ins authenticated
-- when they began.

ALTER TABLE us_sessions ADD COLUMN method text NOT NULL DEFAULT 'password';
ALTER TABLE us_sessions ADD COLUMN authenticated_at timestamptz;
ALTER TABLE us_sessions ADD COLUMN ip text NOT NULL DEFAULT '';
ALTER TABLE us_sessions ADD COLUMN user_agent text NOT NULL DEFAULT '';
UPDATE us_sessions SET authenticated_at = created_at;
ALTER TABLE us_sessions ALTER COLUMN authenticated_at SET NOT NULL;
