-- usersettings schema 17 (SQLite): the identity provider's session of a
-- single-sign-on sign-in (session.Session.ProviderSession), so that a
-- back-channel logout that names only the provider's session ("sid")
-- ends the sessions it started; '' for every other session.
ALTER TABLE us_sessions ADD COLUMN provider_session TEXT NOT NULL DEFAULT '';
CREATE INDEX us_sessions_provider_session_idx ON us_sessions (provider_session) WHERE provider_session <> '';
