-- Reverts schema 8 (SQLite).
DROP TABLE us_rate_buckets;
