-- Reverts schema 1 (PostgreSQL): drops every table it created.
DROP TABLE history;
DROP TABLE code_sends;
DROP TABLE verification_codes;
DROP TABLE pending_accounts;
DROP TABLE accounts;
DROP TABLE academy_progress;
DROP TABLE certifications;
DROP TABLE achievements;
DROP TABLE progress;
DROP TABLE avatars;
DROP TABLE profiles;
