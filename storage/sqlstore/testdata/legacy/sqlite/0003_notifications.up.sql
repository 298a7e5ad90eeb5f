-- usersettings schema 3 (SQLite): notification settings and watched apps.
--
-- Only saved settings have a row; a profile without one has the defaults
-- (daily digest off, thread updates on). Both tables go with their
-- profile (ON DELETE CASCADE).

CREATE TABLE notification_settings (
    profile_id     TEXT    NOT NULL PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    daily_digest   INTEGER NOT NULL CHECK (daily_digest IN (0, 1)),
    thread_updates INTEGER NOT NULL CHECK (thread_updates IN (0, 1))
) STRICT;
-- The daily digest run reads the subscribers in profile order.
CREATE INDEX notification_settings_digest_idx ON notification_settings (profile_id) WHERE daily_digest;

CREATE TABLE watched_apps (
    profile_id TEXT    NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    app_id     TEXT    NOT NULL,
    app_name   TEXT    NOT NULL,
    since      INTEGER NOT NULL,
    PRIMARY KEY (profile_id, app_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX watched_apps_since_idx ON watched_apps (profile_id, since, app_id);
