-- Reverts schema 4 (PostgreSQL): drops the two-factor tables.
DROP TABLE two_factor_recovery_codes;
DROP TABLE two_factor;
