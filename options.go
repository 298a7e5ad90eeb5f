package usersettings

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// DefaultIssuer is the issuer shown in authenticator apps when
// Options.Issuer is empty.
const DefaultIssuer = "usersettings"

// Options configure New. A production host sets Mailer, CodeKeys and
// TwoFactorKeys; New refuses to run without the keys unless Dev is set.
// Every other field is optional, and its zero value means the default
// named next to it.
type Options struct {
	// Mailer delivers every email of the SDK, one-time codes and security
	// notices, from the durable outbox: Settings.Courier calls it, never a
	// request. Nil means a new in-memory notify.Outbox, returned in
	// Settings.Outbox (nothing leaves the process). When Mailer is a
	// *notify.Outbox, reading it first delivers the queued mail.
	Mailer notify.Mailer
	// Courier tunes the durable mail courier (batch, poll interval,
	// lease, send timeout, attempts, back-off, how long sent mail is
	// kept, failure hook); each zero field takes the default of package
	// notify named beside it, except CleanupEvery: when zero, the
	// courier's Run deletes no mail, and Settings.Cleanup deletes the mail
	// older than Keep instead, in one replica at a time. The bodies in
	// the outbox are sealed with keys derived from CodeKeys.
	Courier notify.CourierTuning
	// OnEvent is the one hook of the security log: it gets every event
	// the services record (sign-ins, password changes, tokens, …; see
	// package securitylog) once the transaction that stored it has
	// committed, and every security notice (password changed, token
	// created, …) that could not be queued for sending, as an event of
	// kind securitylog.NoticeFailed whose Detail is the notice kind
	// (never the address or the error). The change a failed notice
	// reports is done all the same. OnEvent runs in the request's
	// goroutine, so it should return quickly. Nil means events are only
	// stored, and failed notices are logged as warnings through
	// slog.Default; they are never dropped silently.
	OnEvent func(ctx context.Context, e securitylog.Event)
	// Revoker is the host's revocation hook: it hears every session the
	// SDK ends, in the transaction of the change that ends it, with the
	// account, what changed and the session kept (account.Revocation):
	// a password changed or reset, a second factor enrolled or turned
	// off, an account added, deactivated, linked to single sign-on or
	// erased, its email changed, a sign-out from the list of sessions,
	// an identity provider's logout. A host with sessions of its own
	// (its own table and cookie) ends those that Revocation.Ends names;
	// with the SDK's sql store it writes in the same transaction
	// (sqlstore.Store.WithTx is the other direction), and an error rolls
	// the change back. account.RevokerFunc makes one of a function. Nil
	// hears nothing.
	Revoker account.Revoker
	// SecurityLogRetention is how long security events are kept before
	// Settings.Cleanup deletes them, in batches
	// (securitylog.Store.DeleteSecurityEventsBefore); 0 (or less) means
	// securitylog.DefaultRetention (400 days). Settings.SecurityLogRetention
	// holds the value in effect.
	SecurityLogRetention time.Duration
	// Now is the one clock of every service; nil means time.Now.
	Now func() time.Time
	// Rand is the one source of randomness (ids, secrets, codes); nil
	// means crypto/rand.Reader.
	Rand io.Reader

	// CodeKeys are the HMAC keys of one-time code digests, newest first,
	// each at least KeySize (32) random bytes kept outside the database
	// (see KeyRingFromEnv). Required unless Dev is set.
	CodeKeys KeyRing
	// TwoFactorKeys seal TOTP secrets and key the digests of recovery and
	// SMS codes, newest first, each exactly KeySize (32) random bytes kept
	// outside the database. Losing them disables every enrolled
	// authenticator app. Required unless Dev is set.
	TwoFactorKeys KeyRing
	// Dev lets New run without keys, for tests and local development: it
	// makes random keys for the life of the process (authenticator
	// enrolments do not survive a restart, and replicas cannot read each
	// other's codes) and logs a warning through slog.Default. Never set
	// it in production.
	Dev bool

	// PasskeyRPID is the WebAuthn relying-party ID of the host: its host
	// name, or a registrable suffix of it ("example.com", "localhost").
	// Empty turns passkeys off (Settings.Passkeys.Enabled is false).
	PasskeyRPID string
	// PasskeyRPName is the site's name the browser shows when it asks for
	// a passkey; empty means Issuer.
	PasskeyRPName string
	// PasskeyOrigins are the origins passkey ceremonies may come from,
	// scheme, host and port ("https://example.com"); required with
	// PasskeyRPID. A response from any other origin is refused.
	PasskeyOrigins []string
	// PasskeyUserVerification is what every passkey ceremony asks of
	// the authenticator; empty means passkey.UVRequired (a PIN or a
	// biometric each time), with which a passkey sign-in satisfies
	// two-factor authentication.
	PasskeyUserVerification passkey.UserVerification
	// PasskeyMaxPerAccount is the most passkeys an account may have; 0
	// means passkey.DefaultMaxPerAccount (10).
	PasskeyMaxPerAccount int
	// PasskeyCeremonyTTL is how long a begun passkey ceremony (its
	// challenge) can be finished; 0 means passkey.DefaultCeremonyTTL
	// (5 minutes).
	PasskeyCeremonyTTL time.Duration

	// SSORedirectURL is the host's single-sign-on callback URL, registered
	// at every identity provider; empty leaves sign-in through
	// Settings.SSO unavailable (connections still work as companies).
	SSORedirectURL string
	// SSOKeys seal the client secrets of single-sign-on connections and
	// the PKCE verifiers of sign-ins, newest first, each exactly KeySize
	// bytes; empty means TwoFactorKeys.
	SSOKeys KeyRing
	// SSOHTTPClient talks to the identity providers; nil means a client
	// with a 10-second timeout.
	SSOHTTPClient *http.Client

	// Scopes are registered in the scope registry of personal access
	// tokens. Registry, when set, is used instead of a new registry (the
	// Scopes are added to it). Without either, no scope exists and no
	// token can be created.
	Scopes   []token.Scope
	Registry *token.Registry
	// Companies tells the company of an address (its name, single
	// sign-on and password age) when no single-sign-on connection owns
	// its domain (connections are companies too); nil means no other
	// address has one.
	Companies account.CompanyResolver
	// Policy is the password policy; the zero Policy means
	// password.Mendix().
	Policy password.Policy
	// Hasher hashes passwords; nil means password.DefaultHasher().
	Hasher account.Hasher
	// AvatarLimits bound the memory of one avatar decode and how many run
	// at once; the zero value means profile.DefaultAvatarDecodeBytes
	// (48 MiB) and profile.DefaultAvatarConcurrency (2).
	AvatarLimits profile.AvatarLimits
	// FreshFor is how recent a sign-in must be for a sensitive operation
	// (adding an account, changing the password, setting the recovery
	// email, enrolling or turning off two-factor authentication,
	// regenerating recovery codes, creating a token or API key, deleting
	// an account, erasing the personal data); 0 means
	// auth.DefaultFreshFor (one hour). Older callers get
	// auth.ErrReauthenticationRequired.
	FreshFor time.Duration
	// PendingTTL is how long a sign-up or add-account request waits for
	// its code; 0 means account.DefaultPendingTTL (1 hour).
	PendingTTL time.Duration
	// PasswordWarnings are how long before a password expires Cleanup
	// mails a warning, once each per password
	// (account.Service.WarnPasswordExpiry); nil means
	// account.DefaultPasswordWarnings (14 and 3 days), an empty slice
	// none.
	PasswordWarnings []time.Duration
	// SupportURL is where a person reaches the operator's support (an
	// http, https or mailto URL): the pages link it where the product
	// says "Create Support Request" (a merge for which no address can
	// receive the code) and in every "Didn't get a code?" help. Empty
	// means no link. New refuses any other scheme (ErrInvalidSupportURL).
	SupportURL string
	// LoginLimits are the counters of failed password checks that slow
	// sign-ins (per address and per client IP for devices that never
	// signed in to the account, per device for those that did) and
	// current-password checks, and how long a device stays known; each
	// zero field takes the default of package account: 5 failures free,
	// then 1 s doubling up to 15 minutes, forgotten after a day (20 free
	// per client IP), devices known for a year (account.LoginLimits).
	// The device tokens are signed with keys derived from CodeKeys.
	LoginLimits account.LoginLimits

	// CodeTTL is how long an emailed code stays valid; 0 means
	// verification.DefaultTTL (10 minutes).
	CodeTTL time.Duration
	// CodeMaxAttempts is how many tries a code allows; 0 means
	// verification.DefaultMaxAttempts (5).
	CodeMaxAttempts int
	// CodeBurst is how many codes of one purpose (sign-up, merge, …) may
	// go to one address within CodeWindow; 0 means
	// verification.DefaultBurst (3), negative no limit per purpose. Each
	// purpose counts on its own.
	CodeBurst int
	// CodeWindow is the time CodeBurst counts over; 0 means
	// verification.DefaultWindow (10 minutes).
	CodeWindow time.Duration
	// CodeMaxPerHour caps the codes sent to one address in any hour; 0
	// means verification.DefaultMaxPerHour (5), negative no cap.
	CodeMaxPerHour int
	// CodeLink returns the absolute address of the host's page that takes
	// the key of a code (verification.Purpose.Keyed: a password reset,
	// a reset through the recovery email, a sign-in unlock), for the
	// mail; nil puts the key itself in the mail. The key still works
	// after a stranger's wrong guesses killed the code; see
	// verification.Config.Link.
	CodeLink func(purpose verification.Purpose, key string) string

	// MergeFlowTTL is how long a merge flow lives from its start; 0 means
	// merge.DefaultFlowTTL (30 minutes).
	MergeFlowTTL time.Duration
	// MergeStartLimit is how many merges one person may start, in the
	// rate-limit buckets of the store (ratelimit.Limiter, which the SDK's
	// adapters implement; a store that does not gets no limit). The zero
	// Limit means merge.DefaultStartLimit (10 at once, then one every
	// 2 h 24 min: about 10 a day); a negative Burst means no limit.
	MergeStartLimit ratelimit.Limit

	// Issuer labels the account in authenticator apps; empty means
	// DefaultIssuer.
	Issuer string
	// SMS sends SMS codes for two-factor authentication; nil leaves the
	// SMS method unavailable.
	SMS twofactor.SMSSender
	// TwoFactorProfileWide makes a second factor cover every account of a
	// profile: once one account has it, signing in to any of them needs
	// it, since they all read the same personal data
	// (twofactor.Config.ProfileWide). Off by default.
	TwoFactorProfileWide bool
	// TwoFactorMaxAttempts is how many wrong second-factor codes lock it;
	// 0 means 5.
	TwoFactorMaxAttempts int
	// TwoFactorLockFor is how long that lock holds; 0 means 15 minutes.
	TwoFactorLockFor time.Duration
	// TwoFactorEnrollTTL is how long an enrolment waits for its first
	// code; 0 means 30 minutes.
	TwoFactorEnrollTTL time.Duration
	// SMSCodeTTL is how long an SMS code is valid; 0 means 10 minutes.
	SMSCodeTTL time.Duration
	// SMSInterval is the least time between two SMS codes to an account;
	// 0 means 30 seconds.
	SMSInterval time.Duration

	// TokenLastUsedInterval is how stale a token's last use may get
	// before a validation writes it again; 0 means
	// token.DefaultLastUsedInterval (1 minute).
	TokenLastUsedInterval time.Duration
	// APIKeyCacheTTL is how long a successful API key validation is
	// cached in this process; 0 means token.DefaultAPIKeyCacheTTL (60 s),
	// negative disables the cache. When the store keeps a revocation
	// sequence (token.Revocations: storage/memory and storage/sqlstore
	// do), a revocation on any replica empties every replica's cache
	// within token.DefaultRevocationCheck (250 ms) and the TTL only bounds
	// the time while the sequence cannot be read.
	APIKeyCacheTTL time.Duration
	// APIKeyCacheSize is the most cached API key validations; 0 means
	// token.DefaultAPIKeyCacheSize (10,000).
	APIKeyCacheSize int
	// TokenScheme is how tokens and API keys look on the wire: the
	// prefixes of their secrets, the Authorization scheme and the
	// API-key headers that token.Middleware and its kin read for
	// Settings.Tokens; each empty field means its default ("mxp_",
	// "mxk_", "mxtoken", "Mendix-Username", "Mendix-ApiKey"). New
	// returns an error wrapping token.ErrInvalidScheme for an unusable
	// one. Changing a prefix invalidates the secrets issued before.
	TokenScheme token.Scheme

	// SessionIdleTimeout and SessionMaxAge bound sign-in sessions; zero
	// means session.DefaultIdleTimeout (12 hours) and
	// session.DefaultMaxAge (24 hours).
	SessionIdleTimeout time.Duration
	SessionMaxAge      time.Duration
	// SessionTouchInterval is how stale a session's last-seen time may
	// get before a validation writes it again; 0 means
	// session.DefaultTouchInterval (1 minute).
	SessionTouchInterval time.Duration

	// TrackingSince is when the host started to record the change
	// history; zero means personaldata.DefaultTrackingSince.
	TrackingSince time.Time
	// ExtraSources are the host's own personal data sources, collected,
	// exported and erased after the SDK's.
	ExtraSources []personaldata.Source
}
