// Package notify holds what the SDK sends by email and what a person
// chooses to be notified about.
//
// # Mail
//
// A [Mailer] delivers a [Message]. [NewSMTP] returns one that talks to an
// SMTP server through net/smtp: STARTTLS whenever the server offers it
// (or required with SMTPConfig.RequireTLS), implicit TLS on request, AUTH
// PLAIN when credentials are set, and the context's deadline and
// cancellation honoured at every step. [Outbox] keeps messages in memory
// for tests, examples and development servers.
//
// # The durable courier
//
// No request waits for a mail server. A [Courier] is a Mailer whose Send
// only writes the message to the durable outbox ([OutboxStore], table
// us_mail_outbox of storage/sqlstore), in the transaction of the action
// that causes it; its body is sealed under the host's key. Courier.Run
// delivers the queued messages through the real Mailer:
//
//	c := notify.NewCourier(notify.CourierConfig{Store: st, Mailer: smtp, Keys: keys})
//	go c.Run(ctx) // on every replica
//
// Each batch is claimed with a lease (FOR UPDATE SKIP LOCKED on
// PostgreSQL, the writer lock on SQLite), so several couriers never send
// one message twice; a crashed courier's claim is taken again when its
// lease ends. A failed delivery is retried with exponential back-off and
// abandoned after CourierConfig.MaxAttempts or a permanent (5xx) refusal;
// each message records its state and last error. Sent and abandoned
// messages are deleted after CourierConfig.Keep (Courier.Cleanup).
//
// Messages are built from embedded text/template files whose every text
// comes from a message catalogue (golang.org/x/text/message, keyed by the
// English text) in English and Dutch ([Languages]); the language is the
// recipient's profile language ([LanguageFunc]), else the one the
// context carries ([WithLanguage], [AcceptLanguage]), else English. The
// SMTP adapter sends multipart/alternative: the text and an HTML part
// rendered from it ([Message.HTML]), both named in the message's language
// ([Message.Language]: the Content-Language header and the HTML part's
// lang attribute), which the outbox keeps with the sealed body.
//
// The messages:
// [CodeMessage] for one-time codes (sign-up, adding an account, password
// reset, merge) and [NoticeMessage] for security notices (password
// changed, token or API key created, two-factor authentication turned
// off, merge completed, account added or deleted). Security notices are
// always on: no setting of this package switches them off.
//
// No header can be injected. Every adapter refuses a recipient or subject
// holding a line break ([ErrHeaderInjection]); the SMTP adapter parses the
// addresses with net/mail ([ErrInvalidAddress]), encodes a non-ASCII
// subject per RFC 2047 and sends the body quoted-printable.
//
// # Notification settings
//
// [Service] manages the Buzz notification settings of a profile — the
// daily digest (off by default) and updates for threads the person is
// active in (on by default) — and the apps it watches. Its self-service
// methods take the caller (an auth.Caller) and act on the caller's own
// profile, which it resolves through Config.Owners; a token or API key is
// refused. Each change is recorded in the change history with the
// acting account:
//
//	svc := notify.NewService(notify.Config{Store: st, Tx: st, History: st, Owners: account.NewOwners(st)})
//	s, err := svc.Settings(ctx, me) // me: the auth.Caller; the defaults until saved
//	on := true
//	s, err = svc.Update(ctx, me, notify.Update{DailyDigest: &on})
//	for id, err := range svc.DigestSubscribers(ctx) { … } // the host's mail job
//
// Settings and watches are persisted through [Store], implemented by
// storage/memory and storage/sqlstore and checked by
// storagetest.TestNotifyStore.
package notify
