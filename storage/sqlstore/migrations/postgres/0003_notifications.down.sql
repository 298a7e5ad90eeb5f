-- Reverts schema 3 (PostgreSQL).
DROP TABLE watched_apps;
DROP TABLE notification_settings;
