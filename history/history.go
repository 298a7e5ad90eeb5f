// Package history records changes to a person's personal data: which field
// or item changed, how, when and through which account. Values are never
// recorded, so a history entry can never leak a secret or a discarded
// value. Domain services append entries in the same transaction as the
// change; package personaldata lists and exports them.
package history

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/seed-a97ca23f/usersettings/internal/id"
)

// Action says how an item changed.
type Action string

// Actions.
const (
	ActionSet     Action = "set"
	ActionCleared Action = "cleared"
	ActionAdded   Action = "added"
	ActionRemoved Action = "removed"
)

// Entry is one recorded change.
type Entry struct {
	ID        string `json:"id"`
	ProfileID string `json:"profile_id"`
	// AccountID is the account that made the change; empty for changes made
	// by the host (an admin action).
	AccountID string `json:"account_id,omitempty"`
	// Item names what changed: a profile field ("job_title"), "email",
	// "password", "account", "token", "api_key", "two_factor", "merge", …
	Item   string `json:"item"`
	Action Action `json:"action"`
	// Detail is a non-secret description, such as a token's name or the
	// ids of merged profiles; never a password, code, token or key.
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

// Appender is the role of a service that records changes: token, two
// factor and the services that also erase history embed it.
type Appender interface {
	// AppendHistory stores the entries. It returns storage.ErrConflict
	// when an ID exists.
	AppendHistory(ctx context.Context, entries ...Entry) error
}

// Writer records changes and erases a profile's history: the role of the
// profile and account services.
type Writer interface {
	Appender
	// DeleteHistoryOfProfile deletes every entry of the profile.
	DeleteHistoryOfProfile(ctx context.Context, profileID string) error
}

// Store persists history entries. It is implemented by storage/memory,
// storage/sqlstore and any host adapter that passes
// storagetest.TestHistoryStore.
type Store interface {
	// AppendHistory stores the entries. It returns storage.ErrConflict
	// when an ID exists.
	AppendHistory(ctx context.Context, entries ...Entry) error
	// History returns up to limit entries of the profile, newest first
	// (ties broken by ID descending), skipping the first offset.
	History(ctx context.Context, profileID string, offset, limit int) ([]Entry, error)
	// EachHistory calls fn for every entry of the profile, oldest first,
	// without loading them all at once; it stops at fn's first error and
	// returns it.
	EachHistory(ctx context.Context, profileID string, fn func(Entry) error) error
	// MoveHistory re-assigns every entry of profile from to profile to.
	MoveHistory(ctx context.Context, from, to string) error
	// DeleteHistoryOfProfile deletes every entry of the profile.
	DeleteHistoryOfProfile(ctx context.Context, profileID string) error
}

// Append gives each entry a new random id ("his_…", read from rand) and
// appends them all through app, in the transaction ctx carries. It is how
// every service records its changes.
func Append(ctx context.Context, app Appender, rand io.Reader, entries ...Entry) error {
	for i := range entries {
		hid, err := id.New(rand, "his_")
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		entries[i].ID = hid
	}
	if err := app.AppendHistory(ctx, entries...); err != nil {
		return fmt.Errorf("history: appending: %w", err)
	}
	return nil
}
