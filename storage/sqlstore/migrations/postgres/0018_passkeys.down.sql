-- Reverts schema 18 (PostgreSQL).
DROP TABLE us_passkey_ceremonies;
DROP TABLE us_passkeys;
