package personaldata

import (
	"context"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// The role interfaces below are what the Service and the sources call:
// a few methods each, so a host can hand in a store of its own, a
// wrapper or a fake without writing a whole Store. The SDK's adapters
// (*memory.Store, *sqlstore.Store) and services implement them; the
// compile-time checks at the end of this file keep the two in step.

// Profiles reads a profile for the view and deletes it last on erasure.
// Every profile.Store implements it.
type Profiles interface {
	// Profile returns the profile, or storage.ErrNotFound.
	Profile(ctx context.Context, id string) (profile.Profile, error)
	// Progress returns the community progress of the profile.
	Progress(ctx context.Context, profileID string) (profile.Progress, error)
	// Avatar returns the avatar image, or storage.ErrNotFound.
	Avatar(ctx context.Context, profileID string) (profile.Avatar, error)
	// DeleteProfile deletes the profile with its avatar and progress.
	DeleteProfile(ctx context.Context, id string) error
	// UpdateProfile stores p over the profile of its ID.
	UpdateProfile(ctx context.Context, p profile.Profile) error
	// DeleteAvatar deletes the avatar image of the profile, if any.
	DeleteAvatar(ctx context.Context, profileID string) error
}

// Accounts reads the accounts of a profile and deletes them and their
// pending requests on erasure. Every account.Store implements it.
type Accounts interface {
	// Account returns the account, or storage.ErrNotFound.
	Account(ctx context.Context, id string) (account.Account, error)
	// AccountsOfProfile returns the profile's accounts, oldest first.
	AccountsOfProfile(ctx context.Context, profileID string) ([]account.Account, error)
	// DeleteAccount deletes the account.
	DeleteAccount(ctx context.Context, id string) error
	// DeletePendingRequestedBy deletes the pending requests the account
	// made and returns how many it deleted.
	DeletePendingRequestedBy(ctx context.Context, accountID string) (int, error)
}

// HistoryLog reads and deletes the change history of a profile. Every
// history.Store implements it.
type HistoryLog interface {
	// History returns limit entries from offset, newest first.
	History(ctx context.Context, profileID string, offset, limit int) ([]history.Entry, error)
	// EachHistory calls fn for every entry, oldest first.
	EachHistory(ctx context.Context, profileID string, fn func(history.Entry) error) error
	// DeleteHistoryOfProfile deletes every entry of the profile.
	DeleteHistoryOfProfile(ctx context.Context, profileID string) error
}

// CodeLog reads when codes were sent to an address and forgets the
// address. Every verification.Store implements it.
type CodeLog interface {
	// SendsSince returns when codes were sent to the address since since,
	// oldest first.
	SendsSince(ctx context.Context, address string, since time.Time) ([]time.Time, error)
	// ForgetAddress deletes every code and send of the address.
	ForgetAddress(ctx context.Context, address string) error
}

// MailLog reads and forgets the messages of the durable mail outbox to an
// address. Every notify.OutboxStore implements it.
type MailLog interface {
	// MailTo returns the messages to the address, oldest first.
	MailTo(ctx context.Context, address string) ([]notify.QueuedMail, error)
	// ForgetMailTo deletes every message to the address.
	ForgetMailTo(ctx context.Context, address string) error
}

// Notifications reads and deletes the notification settings and watched
// apps of a profile. Every notify.Store implements it.
type Notifications interface {
	// NotificationSettings returns the saved settings and whether there
	// are any.
	NotificationSettings(ctx context.Context, profileID string) (notify.Settings, bool, error)
	// WatchedApps returns the apps the profile watches.
	WatchedApps(ctx context.Context, profileID string) ([]notify.WatchedApp, error)
	// DeleteNotificationsOfProfile deletes the settings and watched apps.
	DeleteNotificationsOfProfile(ctx context.Context, profileID string) error
}

// Tokens lists and erases personal access tokens and API keys.
// *token.Service implements it (its erasure also drops cached API key
// validations).
type Tokens interface {
	// Collect returns the tokens and keys of the accounts, never a
	// secret or digest.
	Collect(ctx context.Context, accountIDs ...string) (token.Collected, error)
	account.Eraser
}

// TwoFactors describes and erases the second factor of accounts.
// *twofactor.Service implements it.
type TwoFactors interface {
	// Metadata returns the account's method and when it was enabled,
	// nothing secret.
	Metadata(ctx context.Context, accountID string) (twofactor.Metadata, error)
	account.Eraser
}

// Passkeys reads and erases the passkeys of accounts. *passkey.Service
// implements it.
type Passkeys interface {
	// Metadata returns the account's passkeys; the source copies what is
	// not secret.
	Metadata(ctx context.Context, accountID string) ([]passkey.Passkey, error)
	account.Eraser
}

// Sessions lists and erases sign-in sessions. *session.Service implements
// it.
type Sessions interface {
	// OfAccount returns the sessions of the account, oldest first.
	OfAccount(ctx context.Context, accountID string) ([]session.Session, error)
	account.Eraser
}

// MergeFlows lists and deletes the merge flows a profile takes part in.
// Every merge.Store implements it.
type MergeFlows interface {
	// MergeFlowsOfProfile returns the flows in which the profile takes
	// part, on either side, oldest first.
	MergeFlowsOfProfile(ctx context.Context, profileID string) ([]merge.Record, error)
	// DeleteMergeFlowsOfAccount deletes the flows the account started or
	// whose addresses include the account's.
	DeleteMergeFlowsOfAccount(ctx context.Context, accountID string) (int, error)
	// DeleteMergeFlowsOfProfile deletes the flows either profile of which
	// is the given one.
	DeleteMergeFlowsOfProfile(ctx context.Context, profileID string) (int, error)
}

// SecurityLog reads and deletes the security log of a profile. Every
// securitylog.Store implements it.
type SecurityLog interface {
	// EachSecurityEvent calls fn for every event, oldest first.
	EachSecurityEvent(ctx context.Context, profileID string, fn func(securitylog.Event) error) error
	// DeleteSecurityEventsOfProfile deletes every event of the profile.
	DeleteSecurityEventsOfProfile(ctx context.Context, profileID string) error
}

// The SDK's Stores and services play these roles.
var (
	_ Profiles      = profile.Store(nil)
	_ Accounts      = account.Store(nil)
	_ HistoryLog    = history.Store(nil)
	_ CodeLog       = verification.Store(nil)
	_ Notifications = notify.Store(nil)
	_ MailLog       = notify.OutboxStore(nil)
	_ MergeFlows    = merge.Store(nil)
	_ SecurityLog   = securitylog.Store(nil)
	_ Tokens        = (*token.Service)(nil)
	_ TwoFactors    = (*twofactor.Service)(nil)
	_ Sessions      = (*session.Service)(nil)
)
