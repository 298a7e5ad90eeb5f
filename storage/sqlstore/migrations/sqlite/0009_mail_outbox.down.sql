-- Reverts schema 9 (SQLite).
DROP TABLE us_mail_outbox;
