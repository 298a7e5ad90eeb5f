-- Reverts schema 2 (PostgreSQL): drops the token and API key tables.
DROP TABLE us_api_keys;
DROP TABLE us_tokens;
