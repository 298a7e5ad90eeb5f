package memory

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

var _ securitylog.Store = (*Store)(nil)

type securityTables struct {
	byProfile map[string][]securitylog.Event // oldest first
	ids       map[string]bool
}

func (t *securityTables) init() {
	t.byProfile = map[string][]securitylog.Event{}
	t.ids = map[string]bool{}
}

func compareEvents(a, b securitylog.Event) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// AppendSecurityEvents implements securitylog.Store.
func (s *Store) AppendSecurityEvents(ctx context.Context, events ...securitylog.Event) error {
	return s.write(ctx, func(t *tx) error {
		for _, e := range events {
			e.At = e.At.Round(0) // compared by the wall clock only
			if s.security.ids[e.ID] {
				return conflict("security event id taken")
			}
			put(t, s.security.ids, e.ID, true)
			list := slices.Clone(s.security.byProfile[e.ProfileID])
			i, _ := slices.BinarySearchFunc(list, e, compareEvents)
			put(t, s.security.byProfile, e.ProfileID, slices.Insert(list, i, e))
		}
		return nil
	})
}

// SecurityEvents implements securitylog.Store.
func (s *Store) SecurityEvents(ctx context.Context, profileID string, after securitylog.Position, limit int) ([]securitylog.Event, error) {
	var out []securitylog.Event
	err := s.read(ctx, func() error {
		list := s.security.byProfile[profileID]
		end := len(list)
		if !after.At.IsZero() {
			end, _ = slices.BinarySearchFunc(list, securitylog.Event{At: after.At, ID: after.ID}, compareEvents)
		}
		for i := end - 1; i >= 0 && len(out) < limit; i-- {
			out = append(out, list[i])
		}
		return nil
	})
	return out, err
}

// EachSecurityEvent implements securitylog.Store. The events are read
// under the lock and fn is called after it is released.
func (s *Store) EachSecurityEvent(ctx context.Context, profileID string, fn func(securitylog.Event) error) error {
	var list []securitylog.Event
	if err := s.read(ctx, func() error {
		list = slices.Clone(s.security.byProfile[profileID])
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

// MoveSecurityEvents implements securitylog.Store.
func (s *Store) MoveSecurityEvents(ctx context.Context, from, to string) error {
	return s.write(ctx, func(t *tx) error {
		moved := s.security.byProfile[from]
		if len(moved) == 0 || from == to {
			return nil
		}
		list := slices.Clone(s.security.byProfile[to])
		for _, e := range moved {
			e.ProfileID = to
			list = append(list, e)
		}
		slices.SortFunc(list, compareEvents)
		del(t, s.security.byProfile, from)
		put(t, s.security.byProfile, to, list)
		return nil
	})
}

// DeleteSecurityEventsOfProfile implements securitylog.Store.
func (s *Store) DeleteSecurityEventsOfProfile(ctx context.Context, profileID string) error {
	return s.write(ctx, func(t *tx) error {
		for _, e := range s.security.byProfile[profileID] {
			del(t, s.security.ids, e.ID)
		}
		del(t, s.security.byProfile, profileID)
		return nil
	})
}

// DeleteSecurityEventsBefore implements securitylog.Store.
func (s *Store) DeleteSecurityEventsBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		for _, p := range slices.Sorted(maps.Keys(s.security.byProfile)) {
			list := s.security.byProfile[p]
			cut := 0
			for cut < len(list) && list[cut].At.Before(before) && n < limit {
				del(t, s.security.ids, list[cut].ID)
				cut++
				n++
			}
			switch {
			case cut == len(list):
				del(t, s.security.byProfile, p)
			case cut > 0:
				put(t, s.security.byProfile, p, slices.Clone(list[cut:]))
			}
			if n >= limit {
				break
			}
		}
		return nil
	})
	return n, err
}
