-- Reverts schema 15 (SQLite).
DROP TABLE us_job_leases;
DROP TABLE us_revocations;
