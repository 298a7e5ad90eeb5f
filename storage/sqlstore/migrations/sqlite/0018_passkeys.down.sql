-- Reverts schema 18 (SQLite).
DROP TABLE us_passkey_ceremonies;
DROP TABLE us_passkeys;
