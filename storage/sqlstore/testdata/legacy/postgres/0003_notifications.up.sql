-- usersettings schema 3 (PostgreSQL): notification settings and watched
-- apps.
--
-- Only saved settings have a row; a profile without one has the defaults
-- (daily digest off, thread updates on). Both tables go with their
-- profile (ON DELETE CASCADE).

CREATE TABLE notification_settings (
    profile_id     text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    daily_digest   boolean NOT NULL,
    thread_updates boolean NOT NULL
);
-- The daily digest run reads the subscribers in profile order.
CREATE INDEX notification_settings_digest_idx ON notification_settings (profile_id) WHERE daily_digest;

CREATE TABLE watched_apps (
    profile_id text COLLATE "C" NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    app_id     text COLLATE "C" NOT NULL,
    app_name   text        NOT NULL,
    since      timestamptz NOT NULL,
    PRIMARY KEY (profile_id, app_id)
);
CREATE INDEX watched_apps_since_idx ON watched_apps (profile_id, since, app_id);
