-- Reverts schema 4 (SQLite): drops the two-factor tables.
DROP TABLE two_factor_recovery_codes;
DROP TABLE two_factor;
