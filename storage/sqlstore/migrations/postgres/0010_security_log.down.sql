-- Reverts schema 10 (PostgreSQL).
DROP TABLE us_security_events;
