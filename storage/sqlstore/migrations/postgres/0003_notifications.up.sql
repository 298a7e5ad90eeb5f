-- usersettings schema 3 (PostgreSQL): notification settings and watched
-- apps.
--
-- Only saved settings have a row; a profile without one has the defaults
-- (daily digest off, thread updates on). Both tables go with their
-- profile (ON DELETE CASCADE).

CREATE TABLE us_notification_settings (
    profile_id     text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES us_profiles (id) ON DELETE CASCADE,
    daily_digest   boolean NOT NULL,
    thread_updates boolean NOT NULL
);
-- The daily digest run reads the subscribers in profile order.
CREATE INDEX us_notification_settings_digest_idx ON us_notification_settings (profile_id) WHERE daily_digest;

CREATE TABLE us_watched_apps (
    profile_id text COLLATE "C" NOT NULL REFERENCES us_profiles (id) ON DELETE CASCADE,
    app_id     text COLLATE "C" NOT NULL,
    app_name   text        NOT NULL,
    since      timestamptz NOT NULL,
    PRIMARY KEY (profile_id, app_id)
);
CREATE INDEX us_watched_apps_since_idx ON us_watched_apps (profile_id, since, app_id);
