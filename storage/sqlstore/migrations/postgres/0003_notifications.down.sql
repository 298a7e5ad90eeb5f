-- Reverts schema 3 (PostgreSQL).
DROP TABLE us_watched_apps;
DROP TABLE us_notification_settings;
