package personaldata

import (
	"context"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/history"
)

// HistorySource covers the change history of the profile. Collect reads
// all of it, oldest first; the exports stream it instead (see
// Service.ExportJSON). EraseProfile deletes it. Entries made by a deleted
// account stay with the profile, as the change history of the profile,
// until the profile is erased.
func HistorySource(store HistoryLog) Source {
	if store == nil {
		panic("personaldata: HistorySource needs a HistoryLog")
	}
	return historySource{store}
}

type historySource struct{ store HistoryLog }

func (historySource) Name() string { return "history" }

// streamed marks the source whose data the exports stream.
func (historySource) streamed() {}

func (s historySource) Collect(ctx context.Context, p Person, v *View) error {
	v.History = []HistoryEntry{}
	err := s.store.EachHistory(ctx, p.ProfileID, func(e history.Entry) error {
		v.History = append(v.History, historyEntry(e))
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading history: %w", err)
	}
	return nil
}

func (historySource) EraseAccount(context.Context, string) error { return nil }

func (s historySource) EraseProfile(ctx context.Context, profileID string) error {
	if err := s.store.DeleteHistoryOfProfile(ctx, profileID); err != nil {
		return fmt.Errorf("deleting history: %w", err)
	}
	return nil
}

// ClearProfile is EraseProfile: the profile's accounts do not need it.
func (s historySource) ClearProfile(ctx context.Context, profileID string) error {
	return s.EraseProfile(ctx, profileID)
}
