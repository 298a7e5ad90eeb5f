// Package usersettings is an embeddable SDK for the "user settings" side of
// a developer platform: the things a person expects to manage about
// themselves once they have signed in.
//
// # What it covers
//
//   - A profile (package profile) with avatar, work details, skills,
//     industry experience, social links and a recovery email, which can be
//     made public once it is complete (profile.MissingForPublic).
//   - Several login accounts under one profile (package account), with a
//     strict password policy (package account/password: password.Mendix()
//     by default, password.NIST() as an alternative), argon2id hashing,
//     emailed one-time codes (package verification) for sign-up,
//     adding an account and password resets, deactivation and deletion.
//   - Self-service merging of two profiles confirmed by an emailed code
//     (package merge), previewed before it is committed in one transaction.
//   - Personal access tokens and API keys with an HTTP middleware (package
//     token), and two-factor authentication (package account/twofactor).
//   - Notification settings and email (package notify).
//   - Personal data a person can view, download and erase (package
//     personaldata), with a change history (package history).
//
// # How it fits in a host
//
// The host keeps its own HTTP layer and UI and calls the services. Each
// domain package declares the Store interface it needs; one adapter
// implements all of them: storage/memory for tests and examples,
// storage/sqlstore for SQLite (embedded, no cgo) and PostgreSQL. A host may
// bring its own adapter and prove it with the suites in
// storage/storagetest. Clock and randomness are injected into every
// service, so tests run on a fake clock.
//
// Secrets never rest in clear: passwords are argon2id PHC strings, tokens,
// API keys and codes are stored as digests, TOTP seeds are encrypted with a
// key the host provides. Unknown email, wrong password and deactivated
// account look the same to callers.
//
// # Wiring it up
//
// New wires every service over one Store with one mailer, one clock, one
// source of randomness, one scope registry and one company resolver; the
// fields of the returned Settings are the services:
//
//	st, db, err := sqlite.OpenStore(ctx, "settings.db") // or memory.New()
//	s, err := usersettings.New(st, usersettings.Options{
//		Mailer:        notify.NewSMTP(notify.SMTPConfig{Addr: "smtp.example.com:587", From: "no-reply@example.com"}),
//		Scopes:        []token.Scope{{Name: "mx:app:read", Description: "Read your apps"}},
//		CodeKeys:      codeKeys, // usersettings.KeyRingFromEnv("APP_CODE_KEYS")
//		TwoFactorKeys: totpKeys, // usersettings.KeyRingFromEnv("APP_TWOFACTOR_KEYS")
//	})
//	go s.Courier.Run(ctx) // delivers the queued mail; run it on every replica
//	pendingID, err := s.Accounts.SignUp(ctx, "ada@example.com", pw, false)
//
// Mail never goes out inside a request: every service writes it to the
// durable outbox in the store, in the transaction of the action where
// there is one, and Settings.Courier delivers it through Options.Mailer
// with retries (see notify.Courier).
//
// New is the one way to wire the SDK: it connects the services (the
// two-factor service is the account service's second factor, the
// personal-data sources are the account service's erasers, sessions are
// erased with their account), and every setting a host may tune is a
// field of Options with its default documented next to it. New refuses to
// run without CodeKeys and TwoFactorKeys unless Options.Dev is set.
//
// The runnable example examples/quickstart walks through the whole journey;
// examples/settingsd serves the SDK as an HTTP JSON API, and its package
// examples/settingsd/handler is an http.Handler a host can mount.
package usersettings
