-- Reverts schema 2 (SQLite): drops the token and API key tables.
DROP TABLE us_api_keys;
DROP TABLE us_tokens;
