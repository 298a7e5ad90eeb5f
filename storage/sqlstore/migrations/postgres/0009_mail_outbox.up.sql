-- usersettings schema 9 (PostgreSQL): the durable mail outbox
-- (notify.Courier).
--
-- Every message the SDK sends (one-time codes, security notices) is
-- written here in the transaction of the action that causes it, and a
-- courier delivers it later. The body is sealed (AES-256-GCM under the
-- host's key), never stored in clear: it holds one-time codes. A courier
-- claims a message (FOR UPDATE SKIP LOCKED) by making it 'sending' with
-- a lease in next_attempt_at; attempts fences the marks of a claim. Sent
-- and abandoned messages are deleted some time after updated_at.

CREATE TABLE us_mail_outbox (
    id              text COLLATE "C" NOT NULL PRIMARY KEY,
    recipient       text        NOT NULL,
    subject         text        NOT NULL,
    body            bytea       NOT NULL, -- sealed
    state           text        NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'abandoned')),
    attempts        integer     NOT NULL,
    last_error      text        NOT NULL,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    sent_at         timestamptz
);
CREATE INDEX us_mail_outbox_due_idx ON us_mail_outbox (next_attempt_at) WHERE state IN ('queued', 'sending');
CREATE INDEX us_mail_outbox_done_idx ON us_mail_outbox (updated_at) WHERE state IN ('sent', 'abandoned');
CREATE INDEX us_mail_outbox_recipient_idx ON us_mail_outbox (lower(recipient));
CREATE INDEX us_mail_outbox_created_idx ON us_mail_outbox (created_at);
