// Package securitylog keeps the security log a person sees: sign-ins and
// their failures, lockouts, re-authentications, second-factor changes,
// password changes and resets, tokens and API keys, accounts added and
// deleted, merges, single-sign-on links and the operations support staff
// made on the person's behalf. Each event records when it happened and,
// when a request caused it, the client's IP address and device.
//
// Services record events with Log.Record inside the transaction of the
// action they describe, so an event exists exactly when its action
// happened. A host subscribes to the same events through one hook
// (Options.OnEvent in package usersettings), which gets each event once
// its transaction committed. People read their own log through a Reader,
// a page at a time, newest first, with an opaque cursor. The log is
// personal data: it is exported with the rest, moved by a merge, erased
// with the profile and kept only for a retention period
// (DefaultRetention), which the host's cleanup job enforces with
// Store.DeleteSecurityEventsBefore.
package securitylog

import (
	"context"
	cryptorand "crypto/rand"
	"fmt"
	"io"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// DefaultRetention is how long events are kept when the host sets no
// other retention: 400 days, long enough to look back over a year.
const DefaultRetention = 400 * 24 * time.Hour

// Kind names what happened.
type Kind string

// The kinds of events.
const (
	SignedIn                 Kind = "signed_in"
	SignInFailed             Kind = "sign_in_failed"
	LockedOut                Kind = "locked_out"
	Reauthenticated          Kind = "reauthenticated"
	TwoFactorEnrolled        Kind = "two_factor_enrolled"
	TwoFactorDeactivated     Kind = "two_factor_deactivated"
	RecoveryCodeUsed         Kind = "recovery_code_used"
	RecoveryCodesRegenerated Kind = "recovery_codes_regenerated"
	PasswordChanged          Kind = "password_changed"
	PasswordReset            Kind = "password_reset"
	TokenCreated             Kind = "token_created"
	TokenDeleted             Kind = "token_deleted"
	TokenFirstUsed           Kind = "token_first_used"
	APIKeyCreated            Kind = "api_key_created"
	APIKeyDeleted            Kind = "api_key_deleted"
	AccountAdded             Kind = "account_added"
	AccountDeleted           Kind = "account_deleted"
	RecoveryEmailChanged     Kind = "recovery_email_changed"
	SessionEnded             Kind = "session_ended"
	Merged                   Kind = "merged"
	SSOLinked                Kind = "sso_linked"
	// AccountProvisioned is an account the host created for a person it
	// had verified itself (account.Service.Provision).
	AccountProvisioned Kind = "account_provisioned"
	// EmailChanged is a change of an account's login email; Detail is
	// the new address.
	EmailChanged Kind = "email_changed"
	// PersonalDataErased is the erasure of a person's personal data
	// that kept the accounts (personaldata.Service.EraseKeepingAccounts).
	PersonalDataErased Kind = "personal_data_erased"
	// Admin is an operation that support staff made on the person's
	// behalf; Event.Admin names who, Event.Detail what.
	Admin Kind = "admin"
	// PasskeyAdded and PasskeyRemoved are a passkey registered on, or
	// removed from, the account; Detail is its name.
	PasskeyAdded   Kind = "passkey_added"
	PasskeyRemoved Kind = "passkey_removed"
	// PasskeyUsed is a passkey that signed in, proved the second factor
	// or re-authenticated; Detail is its name and what for.
	PasskeyUsed Kind = "passkey_used"
	// PasskeyFailed is a passkey response of the account that was
	// refused; Detail says why (a sign count that went backwards
	// suggests a cloned authenticator).
	PasskeyFailed Kind = "passkey_failed"
	// NoticeFailed is a security notice that could not be queued or
	// sent. It is given to the hook only, never stored in the log.
	NoticeFailed Kind = "notice_failed"
)

// Kinds lists every Kind, in the order they are declared; a test holds
// it to the declarations. Front ends label each, and tests walk it.
var Kinds = []Kind{
	SignedIn, SignInFailed, LockedOut, Reauthenticated, TwoFactorEnrolled, TwoFactorDeactivated,
	RecoveryCodeUsed, RecoveryCodesRegenerated, PasswordChanged, PasswordReset, TokenCreated, TokenDeleted,
	TokenFirstUsed, APIKeyCreated, APIKeyDeleted, AccountAdded, AccountDeleted, RecoveryEmailChanged,
	SessionEnded, Merged, SSOLinked, AccountProvisioned, EmailChanged, PersonalDataErased, Admin, PasskeyAdded,
	PasskeyRemoved, PasskeyUsed, PasskeyFailed, NoticeFailed,
}

// Event is one entry of the security log. It never holds a secret: no
// password, code, token or key, nor a digest of one.
type Event struct {
	ID        string `json:"id"`
	ProfileID string `json:"profile_id"`
	// AccountID is the account the event is about (the one that signed
	// in, or was added); empty when it is about the profile as a whole.
	AccountID string    `json:"account_id,omitempty"`
	Kind      Kind      `json:"kind"`
	At        time.Time `json:"at"`
	// IP and Device describe the client whose request caused the event
	// (auth.Client); empty for events the host caused itself.
	IP     string `json:"ip,omitempty"`
	Device string `json:"device,omitempty"`
	// Admin names the support person of an Admin event.
	Admin string `json:"admin,omitempty"`
	// Detail is a non-secret description, such as a token's name.
	Detail string `json:"detail,omitempty"`
	// SessionID is the session the action came through (the caller's,
	// the SDK's or a host's own); empty when there was none.
	SessionID string `json:"session_id,omitempty"`
}

// FromCaller returns an event of kind about the caller's account on the
// profile, with the caller's client filled in.
func FromCaller(kind Kind, profileID string, c auth.Caller) Event {
	return Event{Kind: kind, ProfileID: profileID, AccountID: c.AccountID, IP: c.Client.IP, Device: c.Client.Device(), SessionID: c.SessionID}
}

// Position is where a page of the log starts: strictly older than the
// event at At with ID. The zero Position starts at the newest event.
type Position struct {
	At time.Time
	ID string
}

// Appender stores events: the role of every service that records them.
type Appender interface {
	// AppendSecurityEvents stores the events, in the transaction ctx
	// carries. It returns storage.ErrConflict when an ID exists.
	AppendSecurityEvents(ctx context.Context, events ...Event) error
}

// Store persists the security log. It is implemented by storage/memory,
// storage/sqlstore and any host adapter that passes
// storagetest.TestSecurityLogStore.
type Store interface {
	Appender
	// SecurityEvents returns up to limit events of the profile older
	// than after (all of them for the zero Position), newest first, ties
	// broken by ID descending.
	SecurityEvents(ctx context.Context, profileID string, after Position, limit int) ([]Event, error)
	// EachSecurityEvent calls fn for every event of the profile, oldest
	// first, without loading them all at once; it stops at fn's first
	// error and returns it.
	EachSecurityEvent(ctx context.Context, profileID string, fn func(Event) error) error
	// MoveSecurityEvents re-assigns every event of profile from to
	// profile to (a merge).
	MoveSecurityEvents(ctx context.Context, from, to string) error
	// DeleteSecurityEventsOfProfile deletes every event of the profile.
	DeleteSecurityEventsOfProfile(ctx context.Context, profileID string) error
	// DeleteSecurityEventsBefore deletes up to limit events older than
	// before, of any profile, and returns how many it deleted; the
	// retention job calls it in batches until it returns fewer than
	// limit.
	DeleteSecurityEventsBefore(ctx context.Context, before time.Time, limit int) (int, error)
}

// Log records events. A nil *Log records nothing, so a service whose host
// keeps no security log needs no special case.
type Log struct {
	app  Appender
	rand io.Reader
	now  func() time.Time
	hook func(context.Context, Event)
}

// New returns a Log that appends through app, with ids read from rand
// (nil means crypto/rand.Reader), times from now (nil means time.Now) and
// every recorded event also given to hook (which may be nil).
func New(app Appender, rand io.Reader, now func() time.Time, hook func(context.Context, Event)) *Log {
	if rand == nil {
		rand = cryptorand.Reader
	}
	if now == nil {
		now = time.Now
	}
	return &Log{app: app, rand: rand, now: now, hook: hook}
}

// Record gives each event an id ("sev_…") and, when it has none, the
// current time, and stores them in the transaction ctx carries. The hook
// gets them once that transaction has committed (storage.AfterCommit), or
// at once when ctx carries none; it never sees an event that was rolled
// back.
func (l *Log) Record(ctx context.Context, events ...Event) error {
	if l == nil || len(events) == 0 {
		return nil
	}
	for i := range events {
		eid, err := id.New(l.rand, "sev_")
		if err != nil {
			return fmt.Errorf("securitylog: %w", err)
		}
		events[i].ID = eid
		if events[i].At.IsZero() {
			events[i].At = l.now()
		}
	}
	if err := l.app.AppendSecurityEvents(ctx, events...); err != nil {
		return fmt.Errorf("securitylog: appending: %w", err)
	}
	if l.hook != nil {
		storage.AfterCommit(ctx, func(ctx context.Context) {
			for _, e := range events {
				l.hook(ctx, e)
			}
		})
	}
	return nil
}
