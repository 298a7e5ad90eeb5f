package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/seed-a97ca23f/usersettings/notify"
)

var _ notify.Store = (*Store)(nil)

// watchKey identifies one watched app of one profile.
type watchKey struct{ profileID, appID string }

type notifyTables struct {
	settings map[string]notify.Settings // by profile ID; saved settings only
	watched  map[watchKey]notify.WatchedApp
}

func (n *notifyTables) init() {
	n.settings = map[string]notify.Settings{}
	n.watched = map[watchKey]notify.WatchedApp{}
}

// NotificationSettings implements notify.Store.
func (s *Store) NotificationSettings(ctx context.Context, profileID string) (notify.Settings, bool, error) {
	var (
		got notify.Settings
		ok  bool
	)
	err := s.read(ctx, func() error {
		got, ok = s.notify.settings[profileID]
		return nil
	})
	return got, ok, err
}

// SaveNotificationSettings implements notify.Store.
func (s *Store) SaveNotificationSettings(ctx context.Context, st notify.Settings) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.profiles.byID[st.ProfileID]; !ok {
			return notFound("profile", st.ProfileID)
		}
		put(t, s.notify.settings, st.ProfileID, st)
		return nil
	})
}

// WatchApp implements notify.Store.
func (s *Store) WatchApp(ctx context.Context, w notify.WatchedApp) (bool, error) {
	added := false
	err := s.write(ctx, func(t *tx) error {
		if _, ok := s.profiles.byID[w.ProfileID]; !ok {
			return notFound("profile", w.ProfileID)
		}
		k := watchKey{w.ProfileID, w.AppID}
		if _, ok := s.notify.watched[k]; ok {
			return nil
		}
		put(t, s.notify.watched, k, w)
		added = true
		return nil
	})
	return added, err
}

// UnwatchApp implements notify.Store.
func (s *Store) UnwatchApp(ctx context.Context, profileID, appID string) (bool, error) {
	removed := false
	err := s.write(ctx, func(t *tx) error {
		k := watchKey{profileID, appID}
		if _, ok := s.notify.watched[k]; ok {
			del(t, s.notify.watched, k)
			removed = true
		}
		return nil
	})
	return removed, err
}

// watchedOf returns the profile's watches ordered by Since, then AppID.
// The caller holds the lock.
func (s *Store) watchedOf(profileID string) []notify.WatchedApp {
	var out []notify.WatchedApp
	for k, w := range s.notify.watched {
		if k.profileID == profileID {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b notify.WatchedApp) int {
		return cmp.Or(a.Since.Compare(b.Since), strings.Compare(a.AppID, b.AppID))
	})
	return out
}

// WatchedApps implements notify.Store.
func (s *Store) WatchedApps(ctx context.Context, profileID string) ([]notify.WatchedApp, error) {
	var out []notify.WatchedApp
	err := s.read(ctx, func() error {
		out = s.watchedOf(profileID)
		return nil
	})
	return out, err
}

// EachDigestSubscriber implements notify.Store. It takes a snapshot of
// the IDs under the lock and calls fn after releasing it, so fn may use
// the store.
func (s *Store) EachDigestSubscriber(ctx context.Context, fn func(profileID string) error) error {
	var ids []string
	err := s.read(ctx, func() error {
		for id, st := range s.notify.settings {
			if st.DailyDigest {
				ids = append(ids, id)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

// DeleteNotificationsOfProfile implements notify.Store.
func (s *Store) DeleteNotificationsOfProfile(ctx context.Context, profileID string) error {
	return s.write(ctx, func(t *tx) error {
		del(t, s.notify.settings, profileID)
		for _, w := range s.watchedOf(profileID) {
			del(t, s.notify.watched, watchKey{profileID, w.AppID})
		}
		return nil
	})
}

// MoveWatchedApps implements notify.Store.
func (s *Store) MoveWatchedApps(ctx context.Context, from, to string) error {
	return s.write(ctx, func(t *tx) error {
		if _, ok := s.profiles.byID[to]; !ok {
			return notFound("profile", to)
		}
		if from == to {
			return nil
		}
		for _, w := range s.watchedOf(from) {
			del(t, s.notify.watched, watchKey{from, w.AppID})
			k := watchKey{to, w.AppID}
			if _, ok := s.notify.watched[k]; !ok {
				w.ProfileID = to
				put(t, s.notify.watched, k, w)
			}
		}
		return nil
	})
}
