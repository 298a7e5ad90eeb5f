-- Reverts schema 8 (PostgreSQL).
DROP TABLE us_rate_buckets;
