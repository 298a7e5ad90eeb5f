-- Reverts schema 2 (PostgreSQL): drops the token and API key tables.
DROP TABLE api_keys;
DROP TABLE tokens;
