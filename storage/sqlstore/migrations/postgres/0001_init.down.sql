-- Reverts schema 1 (PostgreSQL): drops every table it created.
DROP TABLE us_history;
DROP TABLE us_code_sends;
DROP TABLE us_verification_codes;
DROP TABLE us_pending_accounts;
DROP TABLE us_accounts;
DROP TABLE us_academy_progress;
DROP TABLE us_certifications;
DROP TABLE us_achievements;
DROP TABLE us_progress;
DROP TABLE us_avatars;
DROP TABLE us_profiles;
