-- Reverts schema 4 (SQLite): drops the two-factor tables.
DROP TABLE us_two_factor_recovery_codes;
DROP TABLE us_two_factor;
