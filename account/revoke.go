package account

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
)

// Change names what happened to an account's credentials, for Revokers.
type Change string

// The changes the account service reports to its Revokers.
const (
	// ChangeDeactivated: the account was deactivated; nothing it started
	// may go on.
	ChangeDeactivated Change = "deactivated"
	// ChangePasswordReset: the password was reset with an emailed code,
	// possibly by someone who stole it, or by its owner taking the
	// account back from someone who did: an account recovery. Every
	// session ends, and every personal access token and API key of the
	// account is revoked (the token service deletes them), since an
	// intruder may have made them.
	ChangePasswordReset Change = "password_reset"
	// ChangeLinked: the account was linked to a single-sign-on identity
	// and its password retired; every session ends, since a session
	// opened with that password may not be the person's.
	ChangeLinked Change = "sso_linked"
	// ChangePasswordChanged: the signed-in person changed the password;
	// cached credentials go and every session but Revocation.KeepSession
	// ends. Personal access tokens and API keys stay: the person reviews
	// them.
	ChangePasswordChanged Change = "password_changed"
	// ChangeSecondFactor: the second factor was enrolled or deactivated;
	// every session but Revocation.KeepSession ends.
	ChangeSecondFactor Change = "second_factor"
	// ChangeAccountAdded: another login account joined the profile;
	// every session but Revocation.KeepSession ends.
	ChangeAccountAdded Change = "account_added"
	// ChangeSignedOut: the person ended sessions themselves, from the
	// list of sessions or by signing out: Revocation.Sessions lists them,
	// or, when empty, every session but Revocation.KeepSession ended.
	ChangeSignedOut Change = "signed_out"
	// ChangeLoggedOut: the account's identity provider ended its
	// sessions (single-sign-on back-channel logout); every session ends.
	ChangeLoggedOut Change = "sso_logout"
	// ChangeErased: the account was deleted; every session ends.
	ChangeErased Change = "erased"
)

// Revocation is what a Revoker is told: which account's credentials
// changed, how, and which session made the change (kept, when the change
// keeps the caller's own session; empty otherwise).
type Revocation struct {
	AccountID   string
	Change      Change
	KeepSession string
	// Sessions, when set, are the only sessions that end (a person
	// signing out of one); when empty, every session of the account but
	// KeepSession ends.
	Sessions []string
	// Client is the client whose request made a password reset, for
	// the security events a Revoker records (ChangePasswordReset); zero
	// for other changes.
	Client auth.Client
}

// Ends reports whether the revocation ends the session with the ID: what
// a host's hook asks of each of its own sessions of the account.
func (r Revocation) Ends(sessionID string) bool {
	if len(r.Sessions) > 0 {
		return slices.Contains(r.Sessions, sessionID)
	}
	return sessionID != r.KeepSession || sessionID == ""
}

// RevokerFunc is a function that is a Revoker: a host's hook, for
// example, that ends its own sessions.
type RevokerFunc func(ctx context.Context, r Revocation) error

// RevokeAccount calls f.
func (f RevokerFunc) RevokeAccount(ctx context.Context, r Revocation) error { return f(ctx, r) }

// Revoker stops at once what an account's credentials started elsewhere
// when they change or end: the token service advances the shared
// revocation sequence and forgets its cached API key validations, the
// session service ends sessions. The account and two-factor services call
// every Config.Revokers in the transaction of the change, which ctx
// carries: what a Revoker writes to the store commits or rolls back with
// the change, so no crash can leave a changed password with its old
// sessions. A Revoker that acts outside the store (a cache, a remote
// call) does so in storage.AfterCommit, so a change that rolls back
// revokes nothing.
type Revoker interface {
	RevokeAccount(ctx context.Context, r Revocation) error
}

// RevokedCredential is one credential an account recovery revoked: what
// the reset's notice lists. It is never a secret.
type RevokedCredential struct {
	// Kind is "token" (a personal access token) or "api_key".
	Kind string
	// Name is the token's name or the API key's description.
	Name string
}

// String describes the credential for a person: its kind and name.
func (c RevokedCredential) String() string {
	if c.Kind == "api_key" {
		return fmt.Sprintf("API key %q", c.Name)
	}
	return fmt.Sprintf("personal access token %q", c.Name)
}

// describe is String in the mail language of ctx (notify.Sprintf).
func (c RevokedCredential) describe(ctx context.Context) string {
	if c.Kind == "api_key" {
		return notify.Sprintf(ctx, "API key %q", c.Name)
	}
	return notify.Sprintf(ctx, "personal access token %q", c.Name)
}

// CredentialRevoker revokes every credential an account recovery must
// not leave behind, and says which: the token service revokes the
// account's personal access tokens and API keys. The account service
// calls it (Config.Credentials) in the transaction of a password reset,
// before its Revokers, and lists what it revoked in the reset's notice.
type CredentialRevoker interface {
	// RevokeCredentials revokes every credential of r.AccountID in the
	// transaction ctx carries, records each in the security log with
	// r.Client, and returns them, oldest first.
	RevokeCredentials(ctx context.Context, r Revocation) ([]RevokedCredential, error)
}

// revoke tells every Revoker about the change, in the transaction ctx
// carries; an error rolls the change back.
func (s *Service) revoke(ctx context.Context, accountID string, c Change) error {
	return s.revokeKeeping(ctx, accountID, c, "")
}

// revokeKeeping is revoke for a change made through the session keep,
// which stays signed in.
func (s *Service) revokeKeeping(ctx context.Context, accountID string, c Change, keep string) error {
	return Revokers(s.revokers).RevokeAccount(ctx, Revocation{AccountID: accountID, Change: c, KeepSession: keep})
}

// Revokers is a list of Revokers that is one itself: it tells each about
// a change, every one even when one fails, and returns the failures
// together. Services other than this one (two-factor) report their
// changes through it, in the transaction of the change.
type Revokers []Revoker

// RevokeAccount implements Revoker.
func (rs Revokers) RevokeAccount(ctx context.Context, r Revocation) error {
	var errs []error
	for _, v := range rs {
		if err := v.RevokeAccount(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("account: revoking after %s: %w", r.Change, err)
	}
	return nil
}
