package usersettings

import (
	"context"
	"io"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/token"
)

// DefaultIssuer is the issuer shown in authenticator apps when
// Options.Issuer is empty.
const DefaultIssuer = "usersettings"

// Options configure New. Every field is optional; the zero Options give a
// working SDK with the defaults named here, suitable for tests and
// development. A production host sets at least Mailer, CodeKey and
// TwoFactorKey.
type Options struct {
	// Mailer sends every email of the SDK: one-time codes and security
	// notices. Nil means a new in-memory notify.Outbox, returned in
	// Settings.Outbox (nothing leaves the process).
	Mailer notify.Mailer
	// NoticeFailed is called for each security notice (password changed,
	// token created, …) that could not be sent. The change it reports is
	// done all the same. Nil means such failures are logged as warnings
	// through slog.Default; they are never dropped silently.
	NoticeFailed func(ctx context.Context, err *notify.NoticeError)
	// Now is the one clock of every service; nil means time.Now.
	Now func() time.Time
	// Rand is the one source of randomness (ids, secrets, codes); nil
	// means crypto/rand.Reader.
	Rand io.Reader
	// Scopes are registered in the scope registry of personal access
	// tokens. Registry, when set, is used instead of a new registry (the
	// Scopes are added to it). Without either, no scope exists and no
	// token can be created.
	Scopes   []token.Scope
	Registry *token.Registry
	// Companies tells the company of an address (its name, single
	// sign-on and password age); nil means no address has one.
	Companies account.CompanyResolver
	// CodeKey is the HMAC key of one-time code digests (see
	// verification.Config.Key): 32 random bytes kept outside the
	// database. Nil means the package's public default key.
	CodeKey []byte
	// TwoFactorKey seals TOTP secrets and keys the digests of recovery
	// codes: twofactor.KeySize (32) bytes kept outside the database. Nil
	// means a random key for the life of the process, so authenticator
	// enrolments do not survive a restart: set it in production.
	TwoFactorKey []byte
	// Policy is the password policy; the zero Policy means
	// password.Mendix().
	Policy password.Policy
	// Hasher hashes passwords; nil means password.DefaultHasher().
	Hasher account.Hasher
	// TrackingSince is when the host started to record the change
	// history; zero means personaldata.DefaultTrackingSince.
	TrackingSince time.Time
	// SMS sends SMS codes for two-factor authentication; nil leaves the
	// SMS method unavailable.
	SMS twofactor.SMSSender
	// Issuer labels the account in authenticator apps; empty means
	// DefaultIssuer.
	Issuer string
	// SessionIdleTimeout and SessionMaxAge bound sign-in sessions; zero
	// means the session package's defaults (12 and 24 hours).
	SessionIdleTimeout time.Duration
	SessionMaxAge      time.Duration
	// ExtraSources are the host's own personal data sources, collected,
	// exported and erased after the SDK's.
	ExtraSources []personaldata.Source
}
