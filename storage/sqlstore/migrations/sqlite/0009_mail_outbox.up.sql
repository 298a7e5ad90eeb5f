-- usersettings schema 9 (SQLite): the durable mail outbox (notify.Courier).
--
-- Every message the SDK sends (one-time codes, security notices) is
-- written here in the transaction of the action that causes it, and a
-- courier delivers it later. The body is sealed (AES-256-GCM under the
-- host's key), never stored in clear: it holds one-time codes. A courier
-- claims a message by making it 'sending' with a lease in
-- next_attempt_at; attempts fences the marks of a claim. Sent and
-- abandoned messages are deleted some time after updated_at.

CREATE TABLE us_mail_outbox (
    id              TEXT    NOT NULL PRIMARY KEY,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            BLOB    NOT NULL, -- sealed
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'abandoned')),
    attempts        INTEGER NOT NULL,
    last_error      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER
) STRICT;
CREATE INDEX us_mail_outbox_due_idx ON us_mail_outbox (next_attempt_at) WHERE state IN ('queued', 'sending');
CREATE INDEX us_mail_outbox_done_idx ON us_mail_outbox (updated_at) WHERE state IN ('sent', 'abandoned');
CREATE INDEX us_mail_outbox_recipient_idx ON us_mail_outbox (lower(recipient));
CREATE INDEX us_mail_outbox_created_idx ON us_mail_outbox (created_at);
