-- Reverts schema 21 (SQLite).
ALTER TABLE us_mail_outbox DROP COLUMN language;
