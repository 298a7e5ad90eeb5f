-- usersettings schema 16 (PostgreSQL): the session each security
-- event came through (securitylog.Event.SessionID), so that a host can
-- tell its own sessions apart in the log; '' for events without one.
ALTER TABLE us_security_events ADD COLUMN session_id TEXT NOT NULL DEFAULT '';
