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
// the given time, for a host that signs people in itself.
func New(accountID string, method Method, at time.Time) Caller {
	return Caller{AccountID: accountID, Method: method, AuthenticatedAt: at}
}

// String describes the caller without secrets.
func (c Caller) String() string {
	return fmt.Sprintf("caller{account=%s method=%s at=%s}", c.AccountID, c.Method, c.AuthenticatedAt.UTC().Format(time.RFC3339))
}

// Valid returns ErrInvalidCaller for a caller without an account or with
// an unknown method.
func (c Caller) Valid() error {
	switch {
	case c.AccountID == "":
		return fmt.Errorf("auth: no account: %w", ErrInvalidCaller)
	case !slices.Contains([]Method{MethodPassword, MethodSecondFactor, MethodSSO, MethodToken, MethodAPIKey}, c.Method):
		return fmt.Errorf("auth: method %q: %w", c.Method, ErrInvalidCaller)
	}
	return nil
}

// Credential reports whether the caller is a token or an API key rather
// than a person's sign-in.
func (c Caller) Credential() bool { return c.Method == MethodToken || c.Method == MethodAPIKey }

// Person returns nil for a valid caller that signed in as a person, and
// ErrForbidden for a token or API key: the settings are the person's
// alone.
func (c Caller) Person() error {
	if err := c.Valid(); err != nil {
		return err
	}
	if c.Credential() {
		return fmt.Errorf("auth: a %s does not reach the settings: %w", c.Method, ErrForbidden)
	}
	return nil
}

// Fresh returns nil when the caller is a person who authenticated less
// than maxAge before now (DefaultFreshFor when maxAge is 0);
// ErrReauthenticationRequired when the sign-in is older; and
// ErrForbidden for a token or API key, which never does a sensitive
// operation.
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

// Profile checks that the caller is a person (Person) and returns the
// profile it acts on.
func Profile(ctx context.Context, owners Owners, c Caller) (string, error) {
	if err := c.Person(); err != nil {
		return "", err
	}
	return owners.OwnerProfile(ctx, c.AccountID)
}
