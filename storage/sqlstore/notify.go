package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage"
)

var _ notify.Store = (*Store)(nil)

// digestPage is how many subscriber ids EachDigestSubscriber reads per
// query.
const digestPage = 256

// Queries of the notification lists.
const (
	queryWatchedApps = `SELECT profile_id, app_id, app_name, since
	FROM us_watched_apps WHERE profile_id = ? ORDER BY since, app_id`
	queryDigestFirst = `SELECT profile_id FROM us_notification_settings WHERE daily_digest
	ORDER BY profile_id LIMIT ?`
	queryDigestAfter = `SELECT profile_id FROM us_notification_settings WHERE daily_digest
	AND profile_id > ? ORDER BY profile_id LIMIT ?`
)

// NotificationSettings implements notify.Store.
func (s *Store) NotificationSettings(ctx context.Context, profileID string) (notify.Settings, bool, error) {
	st := notify.Settings{ProfileID: profileID}
	err := s.queryRow(ctx, "notification settings", `SELECT daily_digest, thread_updates
		FROM us_notification_settings WHERE profile_id = ?`, []any{profileID},
		&st.DailyDigest, &st.ThreadUpdates)
	if errors.Is(err, storage.ErrNotFound) && ctx.Err() == nil {
		return notify.Settings{}, false, nil
	}
	if err != nil {
		return notify.Settings{}, false, err
	}
	return st, true, nil
}

// SaveNotificationSettings implements notify.Store with one upsert that
// inserts nothing when the profile does not exist.
func (s *Store) SaveNotificationSettings(ctx context.Context, st notify.Settings) error {
	return s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "save notification settings", `INSERT INTO us_notification_settings
			(profile_id, daily_digest, thread_updates)
			SELECT id, ?, ? FROM us_profiles WHERE id = ?
			ON CONFLICT (profile_id) DO UPDATE SET daily_digest = excluded.daily_digest,
			thread_updates = excluded.thread_updates`,
			st.DailyDigest, st.ThreadUpdates, st.ProfileID)
		if err == nil && n == 0 {
			err = notFound("save notification settings: profile")
		}
		return err
	})
}

// WatchApp implements notify.Store. The insert does nothing when the watch
// exists (ON CONFLICT DO NOTHING), so a refused watch leaves a
// surrounding transaction usable, and of concurrent calls only one adds.
func (s *Store) WatchApp(ctx context.Context, w notify.WatchedApp) (bool, error) {
	added := false
	err := s.writeOne(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, "watch app", `INSERT INTO us_watched_apps
			(profile_id, app_id, app_name, since)
			SELECT id, ?, ?, ? FROM us_profiles WHERE id = ?
			ON CONFLICT (profile_id, app_id) DO NOTHING`,
			w.AppID, w.AppName, s.d.timeArg(w.Since), w.ProfileID)
		if err != nil || n > 0 {
			added = n > 0
			return err
		}
		return s.profileExists(ctx, "watch app: profile", w.ProfileID)
	})
	return added, err
}

// UnwatchApp implements notify.Store.
func (s *Store) UnwatchApp(ctx context.Context, profileID, appID string) (bool, error) {
	var n int64
	err := s.writeOne(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.exec(ctx, "unwatch app", `DELETE FROM us_watched_apps
			WHERE profile_id = ? AND app_id = ?`, profileID, appID)
		return err
	})
	return n > 0, err
}

// WatchedApps implements notify.Store.
func (s *Store) WatchedApps(ctx context.Context, profileID string) ([]notify.WatchedApp, error) {
	var out []notify.WatchedApp
	err := s.query(ctx, "watched apps", queryWatchedApps, []any{profileID},
		func(r *sql.Rows) error {
			var w notify.WatchedApp
			err := r.Scan(&w.ProfileID, &w.AppID, &w.AppName, dbTime{&w.Since})
			out = append(out, w)
			return err
		})
	return out, err
}

// EachDigestSubscriber implements notify.Store. It reads the ids in pages
// (keyset paging on the partial index of subscribers) and calls fn between
// queries, so no cursor is open while fn runs.
func (s *Store) EachDigestSubscriber(ctx context.Context, fn func(profileID string) error) error {
	var (
		page  []string
		after string
	)
	for first := true; ; first = false {
		page = page[:0]
		query, args := queryDigestFirst, []any{digestPage}
		if !first {
			query = queryDigestAfter
			args = []any{after, digestPage}
		}
		err := s.query(ctx, "digest subscribers", query, args, func(r *sql.Rows) error {
			var id string
			err := r.Scan(&id)
			page = append(page, id)
			return err
		})
		if err != nil {
			return err
		}
		for _, id := range page {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(page) < digestPage {
			return nil
		}
		after = page[len(page)-1]
	}
}

// DeleteNotificationsOfProfile implements notify.Store.
func (s *Store) DeleteNotificationsOfProfile(ctx context.Context, profileID string) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		if _, err := s.exec(ctx, "delete notification settings",
			`DELETE FROM us_notification_settings WHERE profile_id = ?`, profileID); err != nil {
			return err
		}
		_, err := s.exec(ctx, "delete watched apps", `DELETE FROM us_watched_apps WHERE profile_id = ?`, profileID)
		return err
	})
}

// MoveWatchedApps implements notify.Store: the watches of from that to
// lacks are copied to to, then from's are deleted.
func (s *Store) MoveWatchedApps(ctx context.Context, from, to string) error {
	return s.writeTx(ctx, func(ctx context.Context) error {
		if err := s.profileExists(ctx, "move watched apps: profile", to); err != nil {
			return err
		}
		if from == to {
			return nil
		}
		if _, err := s.exec(ctx, "move watched apps", `INSERT INTO us_watched_apps
			(profile_id, app_id, app_name, since)
			SELECT ?, app_id, app_name, since FROM us_watched_apps WHERE profile_id = ?
			ON CONFLICT (profile_id, app_id) DO NOTHING`, to, from); err != nil {
			return err
		}
		_, err := s.exec(ctx, "move watched apps", `DELETE FROM us_watched_apps WHERE profile_id = ?`, from)
		return err
	})
}
