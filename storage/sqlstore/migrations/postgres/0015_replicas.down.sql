-- Reverts schema 15 (PostgreSQL).
DROP TABLE us_revocations;
