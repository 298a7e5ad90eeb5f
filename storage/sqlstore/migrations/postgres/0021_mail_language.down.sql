-- Reverts schema 21 (PostgreSQL).
ALTER TABLE us_mail_outbox DROP COLUMN language;
