package memory

import (
	"context"

	"github.com/seed-a97ca23f/usersettings/history"
)

var _ history.Store = (*Store)(nil)

// historyTables hold the change history, a timeline of entries.
type historyTables = timeline[history.Entry]

func initHistory(tl *historyTables) {
	tl.init(func(e history.Entry) recordKey { return recordKey{e.ProfileID, e.ID, e.At} },
		func(e history.Entry, to string) history.Entry { e.ProfileID = to; return e })
}

// AppendHistory implements history.Store.
func (s *Store) AppendHistory(ctx context.Context, entries ...history.Entry) error {
	return s.write(ctx, func(t *tx) error {
		return s.history.add(t, "history", entries...)
	})
}

// History implements history.Store.
func (s *Store) History(ctx context.Context, profileID string, offset, limit int) ([]history.Entry, error) {
	var out []history.Entry
	err := s.read(ctx, func() error {
		out = s.history.newestBelow(profileID, len(s.history.byProfile[profileID])-max(offset, 0), limit)
		return nil
	})
	return out, err
}

// EachHistory implements history.Store. The entries are read under the
// lock and fn is called after it is released.
func (s *Store) EachHistory(ctx context.Context, profileID string, fn func(history.Entry) error) error {
	return eachOf(ctx, s, &s.history, profileID, fn)
}

// MoveHistory implements history.Store.
func (s *Store) MoveHistory(ctx context.Context, from, to string) error {
	return s.write(ctx, func(t *tx) error {
		s.history.move(t, from, to)
		return nil
	})
}

// DeleteHistoryOfProfile implements history.Store.
func (s *Store) DeleteHistoryOfProfile(ctx context.Context, profileID string) error {
	return s.write(ctx, func(t *tx) error {
		s.history.deleteProfile(t, profileID)
		return nil
	})
}
