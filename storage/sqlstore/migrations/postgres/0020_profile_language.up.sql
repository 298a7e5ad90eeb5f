-- usersettings schema 20 (PostgreSQL): the language a person reads the pages and
-- mail in (profile.Profile.Language: "en", "nl"; empty: not chosen).
ALTER TABLE us_profiles ADD COLUMN language text NOT NULL DEFAULT '';
