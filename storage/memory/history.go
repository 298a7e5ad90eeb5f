package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/seed-a97ca23f/usersettings/history"
)

var _ history.Store = (*Store)(nil)

type historyTables struct {
	byProfile map[string][]history.Entry // oldest first
	ids       map[string]bool
}

func (h *historyTables) init() {
	h.byProfile = map[string][]history.Entry{}
	h.ids = map[string]bool{}
}

func compareEntries(a, b history.Entry) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// AppendHistory implements history.Store.
func (s *Store) AppendHistory(ctx context.Context, entries ...history.Entry) error {
	return s.write(ctx, func(t *tx) error {
		for _, e := range entries {
			if s.history.ids[e.ID] {
				return conflict("history id taken")
			}
			put(t, s.history.ids, e.ID, true)
			list := slices.Clone(s.history.byProfile[e.ProfileID])
			i, _ := slices.BinarySearchFunc(list, e, compareEntries)
			put(t, s.history.byProfile, e.ProfileID, slices.Insert(list, i, e))
		}
		return nil
	})
}

// History implements history.Store.
func (s *Store) History(ctx context.Context, profileID string, offset, limit int) ([]history.Entry, error) {
	var out []history.Entry
	err := s.read(ctx, func() error {
		list := s.history.byProfile[profileID]
		for i := len(list) - 1 - max(offset, 0); i >= 0 && len(out) < limit; i-- {
			out = append(out, list[i])
		}
		return nil
	})
	return out, err
}

// EachHistory implements history.Store. The entries are read under the
// lock and fn is called after it is released.
func (s *Store) EachHistory(ctx context.Context, profileID string, fn func(history.Entry) error) error {
	var list []history.Entry
	if err := s.read(ctx, func() error {
		list = slices.Clone(s.history.byProfile[profileID])
		return nil
	}); err != nil {
		return err
	}
	for _, e := range list {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// MoveHistory implements history.Store.
func (s *Store) MoveHistory(ctx context.Context, from, to string) error {
	return s.write(ctx, func(t *tx) error {
		moved := s.history.byProfile[from]
		if len(moved) == 0 || from == to {
			return nil
		}
		list := slices.Clone(s.history.byProfile[to])
		for _, e := range moved {
			e.ProfileID = to
			list = append(list, e)
		}
		slices.SortFunc(list, compareEntries)
		del(t, s.history.byProfile, from)
		put(t, s.history.byProfile, to, list)
		return nil
	})
}

// DeleteHistoryOfProfile implements history.Store.
func (s *Store) DeleteHistoryOfProfile(ctx context.Context, profileID string) error {
	return s.write(ctx, func(t *tx) error {
		for _, e := range s.history.byProfile[profileID] {
			del(t, s.history.ids, e.ID)
		}
		del(t, s.history.byProfile, profileID)
		return nil
	})
}
