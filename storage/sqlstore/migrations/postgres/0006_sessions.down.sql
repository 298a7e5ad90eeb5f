-- Reverts schema 6 (PostgreSQL).
DROP TABLE sessions;
