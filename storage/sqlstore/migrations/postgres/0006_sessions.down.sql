-- Reverts schema 6 (PostgreSQL).
DROP TABLE us_sessions;
