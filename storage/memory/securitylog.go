package memory

import (
	"context"
	"slices"
	"time"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

var _ securitylog.Store = (*Store)(nil)

// securityTables hold the security log, a timeline of events.
type securityTables = timeline[securitylog.Event]

func initSecurity(tl *securityTables) {
	tl.init(func(e securitylog.Event) recordKey { return recordKey{e.ProfileID, e.ID, e.At} },
		func(e securitylog.Event, to string) securitylog.Event { e.ProfileID = to; return e })
}

// AppendSecurityEvents implements securitylog.Store.
func (s *Store) AppendSecurityEvents(ctx context.Context, events ...securitylog.Event) error {
	return s.write(ctx, func(t *tx) error {
		for _, e := range events {
			e.At = e.At.Round(0) // compared by the wall clock only
			if err := s.security.add(t, "security event", e); err != nil {
				return err
			}
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
			end, _ = slices.BinarySearchFunc(list, securitylog.Event{At: after.At, ID: after.ID}, s.security.compare)
		}
		out = s.security.newestBelow(profileID, end, limit)
		return nil
	})
	return out, err
}

// EachSecurityEvent implements securitylog.Store. The events are read
// under the lock and fn is called after it is released.
func (s *Store) EachSecurityEvent(ctx context.Context, profileID string, fn func(securitylog.Event) error) error {
	return eachOf(ctx, s, &s.security, profileID, fn)
}

// MoveSecurityEvents implements securitylog.Store.
func (s *Store) MoveSecurityEvents(ctx context.Context, from, to string) error {
	return s.write(ctx, func(t *tx) error {
		s.security.move(t, from, to)
		return nil
	})
}

// DeleteSecurityEventsOfProfile implements securitylog.Store.
func (s *Store) DeleteSecurityEventsOfProfile(ctx context.Context, profileID string) error {
	return s.write(ctx, func(t *tx) error {
		s.security.deleteProfile(t, profileID)
		return nil
	})
}

// DeleteSecurityEventsBefore implements securitylog.Store.
func (s *Store) DeleteSecurityEventsBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	n := 0
	err := s.write(ctx, func(t *tx) error {
		n = s.security.deleteBefore(t, before, limit)
		return nil
	})
	return n, err
}
