// Package auth says who acts in a self-service operation of the SDK: the
// Caller (which account, how and when it authenticated, through which
// session or token), and the rules every service applies to it before it
// touches data: the caller acts only on its own profile, a sensitive
// operation needs a recent sign-in (Fresh), and a personal access token
// or API key never reaches the settings themselves.
//
// The SDK makes callers where it authenticates (a session, a token, an
// SSO sign-in); a host with its own sign-in makes one with New. Services
// resolve the caller's profile themselves through an Owners, so no
// self-service method takes a profile ID from its caller.
package auth

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// Method says how a caller authenticated.
type Method string

// The methods of authentication.
const (
	// MethodPassword: a password, with no second factor on the account.
	MethodPassword Method = "password"
	// MethodSecondFactor: a password and the account's second factor.
	MethodSecondFactor Method = "password+second_factor"
	// MethodSSO: the company's identity provider (single sign-on).
	MethodSSO Method = "sso"
	// MethodPasskey: a passkey (WebAuthn) without a password: a
	// passwordless sign-in or a re-authentication with a passkey. With
	// user verification it is two factors in one (the device and its PIN
	// or biometric), so it satisfies two-factor authentication.
	MethodPasskey Method = "passkey"
	// MethodToken: a personal access token, limited to its scopes.
	MethodToken Method = "token"
	// MethodAPIKey: an API key, limited to its scopes.
	MethodAPIKey Method = "api_key"
)

// DefaultFreshFor is how recent a sign-in must be for a sensitive
// operation when a service is given no other maximum age: one hour, as
// GitHub's sudo mode and Ory Kratos's privileged sessions use.
const DefaultFreshFor = time.Hour

// Errors of the trust boundary. Check them with errors.Is.
var (
	// ErrReauthenticationRequired means the caller signed in too long ago
	// for a sensitive operation: sign in again (a session's
	// Reauthenticate) and retry. An HTTP layer answers it 403
	// reauthentication_required.
	ErrReauthenticationRequired = errs.New(errs.ReauthRequired, "reauthentication_required", "auth: reauthentication required")
	// ErrForbidden means the caller may not do this at all: it acts on
	// data that is not its own, its account is not active, or it is a
	// token or API key, which never reaches the settings.
	ErrForbidden = errs.New(errs.Forbidden, "forbidden", "auth: forbidden")
	// ErrInvalidCaller means a Caller without an account or with an
	// unknown method: a programming error of the host.
	ErrInvalidCaller = errs.New(errs.Internal, "invalid_caller", "auth: invalid caller")
	// ErrPasswordExpired means the caller's password has passed its
	// maximum age (Caller.PasswordExpired): until it is changed, every
	// self-service operation refuses the caller but the password change
	// and what it needs (reading the caller's accounts and sessions,
	// re-authenticating, signing out). An HTTP layer answers it 403
	// password_expired.
	ErrPasswordExpired = errs.New(errs.Forbidden, "password_expired", "auth: password expired")
)

// Caller is who acts in a self-service operation. The zero Caller is
// invalid.
type Caller struct {
	// AccountID is the account that acts.
	AccountID string
	// Method is how it authenticated.
	Method Method
	// AuthenticatedAt is when it last proved who it is: the sign-in, or
	// the latest re-authentication of its session.
	AuthenticatedAt time.Time
	// SessionID is the session the caller acts through, when there is
	// one; operations that end "other" sessions keep it.
	SessionID string
	// Scopes are what a token or API key may do; empty for sign-ins.
	Scopes []string
	// Connection is the single-sign-on connection of an SSO caller.
	Connection string
	// Client is where the request comes from, for the security log and
	// the session list; the zero Client is allowed.
	Client Client
	// PasswordExpired says that the account's password had passed its
	// maximum age when the caller was resolved: Person, Fresh and
	// Profile then answer ErrPasswordExpired, so only the operations
	// that take AllowExpired (the password change and what it needs) go
	// on. The session service sets it each time it validates a session,
	// so a session opened before the password expired is refused as soon
	// as it expires; a host that makes its callers with New sets it from
	// account.Service.PasswordExpired.
	PasswordExpired bool
}

// Client is where a request comes from: the client's IP address and its
// User-Agent header, as the host's HTTP layer saw them. Neither is
// trusted for any decision of the trust boundary; they are shown to the
// person (the security log, the list of sessions).
type Client struct {
	IP        string
	UserAgent string
}

// Device returns a short label of the client's device for people to read,
// such as "Firefox on Linux", parsed from its User-Agent; "Unknown device"
// when nothing is recognised.
func (c Client) Device() string { return DeviceLabel(c.UserAgent) }

// New returns the Caller of an account that authenticated by method at
// the given time through the session sessionID, for a host that signs
// people in itself. sessionID is the host's own ID of the session the
// request came with ("" for none): an operation that ends the account's
// other sessions (a second factor enrolled, the password changed, an
// account added) keeps that one, the revocation hook names it as kept
// (usersettings.Options.Revoker), and the security log records it. A
// host that registered the session with session.Service.StartHost gets
// the same caller from the session's Caller method. Its password has not
// expired; a host whose accounts have passwords sets PasswordExpired
// from account.Service.PasswordExpired on each request.
func New(accountID string, method Method, at time.Time, sessionID string) Caller {
	return Caller{AccountID: accountID, Method: method, AuthenticatedAt: at, SessionID: sessionID}
}

// String describes the caller without secrets.
func (c Caller) String() string {
	return fmt.Sprintf("caller{account=%s method=%s at=%s expired=%t}", c.AccountID, c.Method, c.AuthenticatedAt.UTC().Format(time.RFC3339), c.PasswordExpired)
}

// AllowExpired returns the caller with its password expiry lifted, for
// the few operations a person whose password has expired may still do:
// changing the password, and what that needs (listing their accounts and
// sessions, re-authenticating, signing out). Services call it on their
// own caller for those operations only, never on a caller they pass on.
func (c Caller) AllowExpired() Caller {
	c.PasswordExpired = false
	return c
}

// Valid returns ErrInvalidCaller for a caller without an account or with
// an unknown method.
func (c Caller) Valid() error {
	switch {
	case c.AccountID == "":
		return fmt.Errorf("auth: no account: %w", ErrInvalidCaller)
	case !slices.Contains([]Method{MethodPassword, MethodSecondFactor, MethodSSO, MethodPasskey, MethodToken, MethodAPIKey}, c.Method):
		return fmt.Errorf("auth: method %q: %w", c.Method, ErrInvalidCaller)
	}
	return nil
}

// Credential reports whether the caller is a token or an API key rather
// than a person's sign-in.
func (c Caller) Credential() bool { return c.Method == MethodToken || c.Method == MethodAPIKey }

// Person returns nil for a valid caller that signed in as a person whose
// password has not expired; ErrForbidden for a token or API key (the
// settings are the person's alone); and ErrPasswordExpired for a person
// whose password has expired (see AllowExpired).
func (c Caller) Person() error {
	if err := c.Valid(); err != nil {
		return err
	}
	if c.Credential() {
		return fmt.Errorf("auth: a %s does not reach the settings: %w", c.Method, ErrForbidden)
	}
	if c.PasswordExpired {
		return ErrPasswordExpired
	}
	return nil
}

// Fresh returns nil when the caller is a person who authenticated less
// than maxAge before now (DefaultFreshFor when maxAge is 0);
// ErrReauthenticationRequired when the sign-in is older; ErrForbidden
// for a token or API key, which never does a sensitive operation; and
// ErrPasswordExpired as Person.
func (c Caller) Fresh(now time.Time, maxAge time.Duration) error {
	if err := c.Person(); err != nil {
		return err
	}
	if maxAge <= 0 {
		maxAge = DefaultFreshFor
	}
	if c.AuthenticatedAt.IsZero() || now.Sub(c.AuthenticatedAt) >= maxAge {
		return ErrReauthenticationRequired
	}
	return nil
}

// Owners tells which profile an account acts on. Services resolve every
// caller's profile through it, so ownership is never taken from the
// caller's word.
type Owners interface {
	// OwnerProfile returns the profile of the active account, or an
	// error matching ErrForbidden when the account is unknown or not
	// active.
	OwnerProfile(ctx context.Context, accountID string) (profileID string, err error)
}

// Profile checks that the caller is a person (Person, so a caller whose
// password has expired gets ErrPasswordExpired) and returns the profile
// it acts on.
func Profile(ctx context.Context, owners Owners, c Caller) (string, error) {
	if err := c.Person(); err != nil {
		return "", err
	}
	return owners.OwnerProfile(ctx, c.AccountID)
}
