package merge

import (
	"context"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// The roles below are the parts of the stores that the Service calls, each
// satisfied by the full Store of the package that owns the data
// (account.Store, profile.Store, history.Store, notify.Store and this
// package's Store), so a host passes the same adapter for every field of
// Config. Each method keeps the contract, and the errors, documented on
// the owning Store.

// Every full Store satisfies the roles taken from it.
var (
	_ Accounts      = account.Store(nil)
	_ Profiles      = profile.Store(nil)
	_ ProfileData   = profile.Store(nil)
	_ History       = history.Store(nil)
	_ Notifications = notify.Store(nil)
	_ Flows         = Store(nil)
	_ ExpiredFlows  = Store(nil)
)

// Accounts is the part of account.Store the Service uses: it looks up the
// signed-in account and the other profile's accounts, and moves them at
// commit.
type Accounts interface {
	// Reader finds an account and the accounts of a profile.
	account.Reader
	// AccountByEmail returns the account with the normalised email, or
	// storage.ErrNotFound.
	AccountByEmail(ctx context.Context, email string) (account.Account, error)
	// MoveAccounts gives toProfileID to every account of fromProfileID.
	MoveAccounts(ctx context.Context, fromProfileID, toProfileID string) error
}

// Profiles is the part of profile.Store the Service uses for the profile
// records: both are read, the survivor is rewritten, the other deleted
// (with its avatar and progress).
type Profiles interface {
	// Profile returns the profile with the ID, or storage.ErrNotFound.
	Profile(ctx context.Context, id string) (profile.Profile, error)
	// UpdateProfile replaces the fields of the stored profile but Avatar
	// and CreatedAt.
	UpdateProfile(ctx context.Context, p profile.Profile) error
	// DeleteProfile deletes the profile, its avatar and its progress.
	DeleteProfile(ctx context.Context, id string) error
}

// ProfileData is the part of profile.Store the Service uses for what a
// profile holds beside its fields: the avatar bytes, copied when the
// other's avatar is kept, and the community progress, read from both
// sides, combined by CombineProgress and saved on the survivor.
type ProfileData interface {
	// Avatar returns the avatar with its bytes, or storage.ErrNotFound.
	Avatar(ctx context.Context, profileID string) (profile.Avatar, error)
	// SetAvatar stores the avatar of the profile.
	SetAvatar(ctx context.Context, profileID string, a profile.Avatar) error
	// Progress returns the community progress of the profile, or
	// storage.ErrNotFound when the profile does not exist.
	Progress(ctx context.Context, profileID string) (profile.Progress, error)
	// SaveProgress replaces the community progress of the profile.
	SaveProgress(ctx context.Context, profileID string, p profile.Progress) error
}

// History is the part of history.Store the Service uses: the other
// profile's entries move to the survivor, which gets a "merge" entry.
type History interface {
	// AppendHistory stores the entries.
	AppendHistory(ctx context.Context, entries ...history.Entry) error
	// MoveHistory re-assigns every entry of profile from to profile to.
	MoveHistory(ctx context.Context, from, to string) error
}

// SecurityEvents is the part of securitylog.Store the Service uses: the
// other profile's security log moves to the survivor.
type SecurityEvents interface {
	// MoveSecurityEvents re-assigns every event of profile from to
	// profile to.
	MoveSecurityEvents(ctx context.Context, from, to string) error
}

var _ SecurityEvents = securitylog.Store(nil)

// Notifications is the part of notify.Store the Service uses: watched
// apps are counted for the preview and moved at commit, and the other
// profile's notification settings are deleted.
type Notifications interface {
	// WatchedApps returns the apps the profile watches.
	WatchedApps(ctx context.Context, profileID string) ([]notify.WatchedApp, error)
	// MoveWatchedApps gives profile to every app watched by profile from.
	MoveWatchedApps(ctx context.Context, from, to string) error
	// DeleteNotificationsOfProfile deletes the settings and watched apps
	// of the profile.
	DeleteNotificationsOfProfile(ctx context.Context, profileID string) error
}

// Flows is the part of Store the Service uses to run flows: the flow
// records themselves. The methods are documented on Store.
type Flows interface {
	CreateMergeFlow(ctx context.Context, r Record) error
	MergeFlow(ctx context.Context, id string) (Record, error)
	UpdateMergeFlow(ctx context.Context, r Record, from State) error
	MergeFlowsOfProfile(ctx context.Context, profileID string) ([]Record, error)
}

// ExpiredFlows is the part of Store that Service.DeleteExpired uses.
type ExpiredFlows interface {
	DeleteExpiredMergeFlows(ctx context.Context, t time.Time) (int, error)
}
