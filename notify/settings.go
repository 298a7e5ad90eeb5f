package notify

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// Settings are the Buzz notification settings of one profile.
type Settings struct {
	ProfileID string `json:"profile_id"`
	// DailyDigest is "Receive daily digest"; off by default.
	DailyDigest bool `json:"daily_digest"`
	// ThreadUpdates is "Receive updates for Buzz threads in which I am
	// active"; on by default.
	ThreadUpdates bool `json:"thread_updates"`
}

// Defaults returns the settings of a profile that never saved any: daily
// digest off, thread updates on.
func Defaults(profileID string) Settings {
	return Settings{ProfileID: profileID, DailyDigest: false, ThreadUpdates: true}
}

// Update changes some settings: a nil field leaves that setting as it is,
// so saving one toggle never changes the other.
type Update struct {
	DailyDigest   *bool `json:"daily_digest,omitempty"`
	ThreadUpdates *bool `json:"thread_updates,omitempty"`
}

// apply returns s with the non-nil fields of u.
func (u Update) apply(s Settings) Settings {
	if u.DailyDigest != nil {
		s.DailyDigest = *u.DailyDigest
	}
	if u.ThreadUpdates != nil {
		s.ThreadUpdates = *u.ThreadUpdates
	}
	return s
}

// WatchedApp is an app whose activity a profile follows. The host's "My
// Apps" starts a watch; the settings page lists and stops them.
type WatchedApp struct {
	ProfileID string `json:"profile_id"`
	AppID     string `json:"app_id"`
	AppName   string `json:"app_name"`
	// Since is when this watch started; watching again after stopping is a
	// new watch with a new Since.
	Since time.Time `json:"since"`
}

// Store persists notification settings and watched apps. It is
// implemented by storage/memory, storage/sqlstore and any host adapter
// that passes storagetest.TestNotifyStore.
//
// Two tables suffice: settings (profile_id primary key referencing
// profiles, daily_digest, thread_updates) and watched apps (profile_id
// referencing profiles, app_id, app_name, since; primary key (profile_id,
// app_id)). Only saved settings are stored; defaults are not written.
type Store interface {
	// NotificationSettings returns the saved settings of the profile and
	// true, or the zero Settings and false when the profile never saved
	// any (also when the profile does not exist). It never returns
	// storage.ErrNotFound.
	NotificationSettings(ctx context.Context, profileID string) (Settings, bool, error)
	// SaveNotificationSettings inserts or replaces the settings of
	// s.ProfileID. It returns storage.ErrNotFound when the profile does
	// not exist.
	SaveNotificationSettings(ctx context.Context, s Settings) error

	// WatchApp stores w and reports true, unless the profile already
	// watches w.AppID: then it changes nothing (the stored name and Since
	// stay) and reports false, without an error, so it can run inside a
	// transaction that goes on. It returns storage.ErrNotFound when the
	// profile does not exist.
	WatchApp(ctx context.Context, w WatchedApp) (bool, error)
	// UnwatchApp deletes the watch and reports whether there was one. An
	// unknown profile or app is not an error.
	UnwatchApp(ctx context.Context, profileID, appID string) (bool, error)
	// WatchedApps returns the apps the profile watches, ordered by Since,
	// then AppID; none (not an error) for an unknown profile.
	WatchedApps(ctx context.Context, profileID string) ([]WatchedApp, error)

	// EachDigestSubscriber calls fn with the ID of every profile whose
	// saved settings have DailyDigest on, in ascending ID order, without
	// building a list of them all. It stops at the first error of fn and
	// returns it. fn must not call the store with a context that carries
	// the store's transaction (an SQL adapter may hold an open cursor).
	EachDigestSubscriber(ctx context.Context, fn func(profileID string) error) error

	// DeleteNotificationsOfProfile deletes the settings and watched apps
	// of the profile (erasure). Nothing to delete is not an error.
	DeleteNotificationsOfProfile(ctx context.Context, profileID string) error
	// MoveWatchedApps gives profile to every app watched by profile from
	// (a merge): apps that to already watches keep to's watch, the others
	// move with their name and Since. from is left with no watched apps;
	// settings are not touched. It returns storage.ErrNotFound when to
	// does not exist; from == to changes nothing.
	MoveWatchedApps(ctx context.Context, from, to string) error
}

// Bounds on input, in characters (runes).
const (
	MaxIDLen      = 128 // profile and app ids
	MaxAppNameLen = 200 // app names
)

// ErrInvalidInput is wrapped by every *InputError.
var ErrInvalidInput = errs.New(errs.Invalid, "invalid_input", "notify: invalid input")

// InputError reports an invalid argument; nothing was changed. Check it
// with errors.As, or errors.Is(err, ErrInvalidInput).
type InputError struct {
	Field  string // "profile_id", "app_id" or "app_name"
	Reason string // "empty", "too_long" or "invalid_characters"
}

// Error implements error.
func (e *InputError) Error() string {
	return fmt.Sprintf("notify: invalid %s: %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalidInput.
func (e *InputError) Unwrap() error { return ErrInvalidInput }

// Details returns the field and the reason.
func (e *InputError) Details() map[string]any {
	return map[string]any{"field": e.Field, "reason": e.Reason}
}

// checkText validates one argument: non-empty, at most max characters,
// valid UTF-8 without control characters.
func checkText(field, v string, max int) error {
	switch {
	case strings.TrimSpace(v) == "":
		return &InputError{Field: field, Reason: "empty"}
	case !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0:
		return &InputError{Field: field, Reason: "invalid_characters"}
	case utf8.RuneCountInString(v) > max:
		return &InputError{Field: field, Reason: "too_long"}
	}
	return nil
}
