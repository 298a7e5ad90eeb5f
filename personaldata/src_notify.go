package personaldata

import (
	"context"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/notify"
)

// NotifySource covers the notification settings and watched apps of the
// profile. Collect gives the saved settings (or the defaults, with Saved
// false) and the watched apps; EraseProfile deletes both.
func NotifySource(store Notifications) Source {
	if store == nil {
		panic("personaldata: NotifySource needs Notifications")
	}
	return notifySource{store}
}

type notifySource struct{ store Notifications }

func (notifySource) Name() string { return "notifications" }

func (s notifySource) Collect(ctx context.Context, p Person, v *View) error {
	st, saved, err := s.store.NotificationSettings(ctx, p.ProfileID)
	if err != nil {
		return fmt.Errorf("reading settings: %w", err)
	}
	if !saved {
		st = notify.Defaults(p.ProfileID)
	}
	apps, err := s.store.WatchedApps(ctx, p.ProfileID)
	if err != nil {
		return fmt.Errorf("reading watched apps: %w", err)
	}
	v.Notifications = NotificationData{
		Saved: saved, DailyDigest: st.DailyDigest, ThreadUpdates: st.ThreadUpdates,
		WatchedApps: make([]WatchedApp, 0, len(apps)),
	}
	for _, a := range apps {
		v.Notifications.WatchedApps = append(v.Notifications.WatchedApps,
			WatchedApp{AppID: a.AppID, AppName: a.AppName, Since: a.Since})
	}
	return nil
}

func (notifySource) EraseAccount(context.Context, string) error { return nil }

func (s notifySource) EraseProfile(ctx context.Context, profileID string) error {
	if err := s.store.DeleteNotificationsOfProfile(ctx, profileID); err != nil {
		return fmt.Errorf("deleting notification settings: %w", err)
	}
	return nil
}

// ClearProfile is EraseProfile: the profile's accounts do not need it.
func (s notifySource) ClearProfile(ctx context.Context, profileID string) error {
	return s.EraseProfile(ctx, profileID)
}
