-- Reverts schema 9 (PostgreSQL).
DROP TABLE us_mail_outbox;
