-- Reverts schema 3 (SQLite).
DROP TABLE watched_apps;
DROP TABLE notification_settings;
