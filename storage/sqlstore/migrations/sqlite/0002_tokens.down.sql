-- Reverts schema 2 (SQLite): drops the token and API key tables.
DROP TABLE api_keys;
DROP TABLE tokens;
