-- usersettings schema 21 (PostgreSQL): the language of a queued mail
-- (notify.QueuedMail.Language, a BCP 47 tag such as "nl"; empty: unknown),
-- which the SMTP adapter names in Content-Language and the HTML part's
-- lang attribute.
ALTER TABLE us_mail_outbox ADD COLUMN language text NOT NULL DEFAULT '';
