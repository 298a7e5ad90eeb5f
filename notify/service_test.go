package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

var t0 = time.Date(2024, 3, 4, 5, 6, 7, 123456789, time.UTC)

// fixture is a Service over a memory store with a fake clock.
type fixture struct {
	ctx   context.Context
	st    *memory.Store
	now   time.Time
	svc   *notify.Service
	store notify.Store // what the service uses; st unless replaced
}

func newFixture(t *testing.T, profiles ...string) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), st: memory.New(), now: t0}
	f.store = f.st
	for _, id := range profiles {
		if err := f.st.CreateProfile(f.ctx, profile.Profile{ID: id, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatalf("CreateProfile: %v", err)
		}
	}
	f.svc = notify.NewService(notify.Config{Store: f, Tx: f.st, History: f.st, Owners: owners{f.st}, Now: func() time.Time { return f.now }})
	return f
}

// owners resolves the caller "acc:<profile id>" to its profile when the
// profile exists; every other caller is forbidden.
type owners struct{ st *memory.Store }

func (o owners) OwnerProfile(ctx context.Context, accountID string) (string, error) {
	id, ok := strings.CutPrefix(accountID, "acc:")
	if !ok {
		return "", auth.ErrForbidden
	}
	if _, err := o.st.Profile(ctx, id); err != nil {
		return "", auth.ErrForbidden
	}
	return id, nil
}

// as returns the caller of the profile's account.
func as(profileID string) auth.Caller {
	return auth.New("acc:"+profileID, auth.MethodPassword, t0, "")
}

// The fixture forwards notify.Store to f.store, so a test can swap in a
// failing store.
func (f *fixture) NotificationSettings(ctx context.Context, id string) (notify.Settings, bool, error) {
	return f.store.NotificationSettings(ctx, id)
}
func (f *fixture) SaveNotificationSettings(ctx context.Context, s notify.Settings) error {
	return f.store.SaveNotificationSettings(ctx, s)
}
func (f *fixture) WatchApp(ctx context.Context, w notify.WatchedApp) (bool, error) {
	return f.store.WatchApp(ctx, w)
}
func (f *fixture) UnwatchApp(ctx context.Context, p, a string) (bool, error) {
	return f.store.UnwatchApp(ctx, p, a)
}
func (f *fixture) WatchedApps(ctx context.Context, p string) ([]notify.WatchedApp, error) {
	return f.store.WatchedApps(ctx, p)
}
func (f *fixture) EachDigestSubscriber(ctx context.Context, fn func(string) error) error {
	return f.store.EachDigestSubscriber(ctx, fn)
}
func (f *fixture) DeleteNotificationsOfProfile(ctx context.Context, p string) error {
	return f.store.DeleteNotificationsOfProfile(ctx, p)
}
func (f *fixture) MoveWatchedApps(ctx context.Context, from, to string) error {
	return f.store.MoveWatchedApps(ctx, from, to)
}

func ptr[T any](v T) *T { return &v }

func (f *fixture) settings(t *testing.T, id string) notify.Settings {
	t.Helper()
	s, err := f.svc.Settings(f.ctx, as(id))
	if err != nil {
		t.Fatalf("Settings(%s): %v", id, err)
	}
	return s
}

func (f *fixture) apps(t *testing.T, id string) []notify.WatchedApp {
	t.Helper()
	apps, err := f.svc.WatchedApps(f.ctx, as(id))
	if err != nil {
		t.Fatalf("WatchedApps(%s): %v", id, err)
	}
	return apps
}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func TestSettingsDefaults(t *testing.T) {
	f := newFixture(t, "prf_a")
	diff(t, "defaults", f.settings(t, "prf_a"), notify.Settings{ProfileID: "prf_a", DailyDigest: false, ThreadUpdates: true})
	wants, err := f.svc.WantsThreadUpdates(f.ctx, "prf_a")
	if err != nil || !wants {
		t.Errorf("WantsThreadUpdates = %v, %v; want true", wants, err)
	}
	if _, ok, _ := f.st.NotificationSettings(f.ctx, "prf_a"); ok {
		t.Error("reading the defaults saved a row")
	}
}

func TestUpdateKeepsOtherToggle(t *testing.T) {
	f := newFixture(t, "prf_a")
	got, err := f.svc.Update(f.ctx, as("prf_a"), notify.Update{DailyDigest: ptr(true)})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := notify.Settings{ProfileID: "prf_a", DailyDigest: true, ThreadUpdates: true}
	diff(t, "after digest on", got, want)
	diff(t, "read back", f.settings(t, "prf_a"), want)

	got, err = f.svc.Update(f.ctx, as("prf_a"), notify.Update{ThreadUpdates: ptr(false)})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want.ThreadUpdates = false
	diff(t, "after thread updates off", got, want)
	wants, err := f.svc.WantsThreadUpdates(f.ctx, "prf_a")
	if err != nil || wants {
		t.Errorf("WantsThreadUpdates = %v, %v; want false", wants, err)
	}

	got, err = f.svc.Update(f.ctx, as("prf_a"), notify.Update{})
	if err != nil {
		t.Fatalf("empty Update: %v", err)
	}
	diff(t, "empty update changes nothing", got, want)
}

func TestUpdateUnknownProfile(t *testing.T) {
	f := newFixture(t)
	for _, u := range []notify.Update{{DailyDigest: ptr(true)}, {}} {
		if _, err := f.svc.Update(f.ctx, as("prf_none"), u); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("Update(%+v) = %v, want auth.ErrForbidden", u, err)
		}
	}
}

func TestWatchIdempotent(t *testing.T) {
	f := newFixture(t, "prf_a")
	for range 2 {
		if err := f.svc.Watch(f.ctx, as("prf_a"), "app_1", "  Expense Tracker "); err != nil {
			t.Fatalf("Watch: %v", err)
		}
		f.now = f.now.Add(time.Minute)
	}
	first := notify.WatchedApp{ProfileID: "prf_a", AppID: "app_1", AppName: "Expense Tracker", Since: t0.Truncate(time.Microsecond)}
	diff(t, "watched once", f.apps(t, "prf_a"), []notify.WatchedApp{first})

	for range 2 {
		if err := f.svc.StopWatching(f.ctx, as("prf_a"), "app_1"); err != nil {
			t.Fatalf("StopWatching: %v", err)
		}
	}
	diff(t, "after stop", f.apps(t, "prf_a"), []notify.WatchedApp(nil))

	if err := f.svc.Watch(f.ctx, as("prf_a"), "app_1", "Expense Tracker"); err != nil {
		t.Fatalf("Watch again: %v", err)
	}
	again := first
	again.Since = f.now.Truncate(time.Microsecond)
	diff(t, "a new watch", f.apps(t, "prf_a"), []notify.WatchedApp{again})

	if err := f.svc.Watch(f.ctx, as("prf_none"), "app_1", "X"); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("Watch for unknown profile = %v, want auth.ErrForbidden", err)
	}
}

func TestWatchValidates(t *testing.T) {
	long := strings.Repeat("é", notify.MaxAppNameLen)
	tests := []struct {
		name, profileID, appID, appName string
		field, reason                   string
	}{
		{"empty app id", "prf_a", "", "A", "app_id", "empty"},
		{"blank app id", "prf_a", "  ", "A", "app_id", "empty"},
		{"padded app id", "prf_a", " app_1", "A", "app_id", "invalid_characters"},
		{"long app id", "prf_a", strings.Repeat("a", notify.MaxIDLen+1), "A", "app_id", "too_long"},
		{"control in app id", "prf_a", "app\n1", "A", "app_id", "invalid_characters"},
		{"empty name", "prf_a", "app_1", "", "app_name", "empty"},
		{"blank name", "prf_a", "app_1", " \t ", "app_name", "empty"},
		{"long name", "prf_a", "app_1", long + "x", "app_name", "too_long"},
		{"invalid utf-8", "prf_a", "app_1", "A\xff", "app_name", "invalid_characters"},
		{"control in name", "prf_a", "app_1", "A\x00B", "app_name", "invalid_characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "prf_a")
			err := f.svc.Watch(f.ctx, as(tt.profileID), tt.appID, tt.appName)
			var ie *notify.InputError
			if !errors.As(err, &ie) || !errors.Is(err, notify.ErrInvalidInput) {
				t.Fatalf("Watch = %v, want *InputError", err)
			}
			diff(t, "error", *ie, notify.InputError{Field: tt.field, Reason: tt.reason})
			diff(t, "nothing watched", f.apps(t, "prf_a"), []notify.WatchedApp(nil))
		})
	}
	f := newFixture(t, "prf_a")
	if err := f.svc.Watch(f.ctx, as("prf_a"), "app_1", long); err != nil {
		t.Errorf("Watch with a %d-character name: %v", notify.MaxAppNameLen, err)
	}
	if err := f.svc.StopWatching(f.ctx, as("prf_a"), ""); !errors.Is(err, notify.ErrInvalidInput) {
		t.Errorf("StopWatching with empty app id = %v, want ErrInvalidInput", err)
	}
	if _, err := f.svc.WantsThreadUpdates(f.ctx, ""); !errors.Is(err, notify.ErrInvalidInput) {
		t.Errorf("WantsThreadUpdates with empty profile id = %v, want ErrInvalidInput", err)
	}
}

func TestCallers(t *testing.T) {
	f := newFixture(t, "prf_a", "prf_b")
	tok := as("prf_a")
	tok.Method = auth.MethodToken
	for name, c := range map[string]auth.Caller{"token": tok, "unknown": as("prf_none"), "invalid": {}} {
		for op, err := range map[string]error{
			"Settings":     second(f.svc.Settings(f.ctx, c)),
			"Update":       second(f.svc.Update(f.ctx, c, notify.Update{DailyDigest: ptr(true)})),
			"WatchedApps":  second(f.svc.WatchedApps(f.ctx, c)),
			"Watch":        f.svc.Watch(f.ctx, c, "app_1", "A"),
			"StopWatching": f.svc.StopWatching(f.ctx, c, "app_1"),
		} {
			if !errors.Is(err, auth.ErrForbidden) && !errors.Is(err, auth.ErrInvalidCaller) {
				t.Errorf("%s: %s = %v, want refused", name, op, err)
			}
		}
	}
	if _, ok, _ := f.st.NotificationSettings(f.ctx, "prf_a"); ok {
		t.Error("a refused caller saved settings")
	}
	diff(t, "nothing watched", f.apps(t, "prf_a"), []notify.WatchedApp(nil))
	unowned := notify.NewService(notify.Config{Store: f.st, Tx: f.st})
	if _, err := unowned.Settings(f.ctx, as("prf_a")); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("Settings without Owners = %v, want auth.ErrForbidden", err)
	}
}

func TestHistory(t *testing.T) {
	f := newFixture(t, "prf_a")
	if _, err := f.svc.Update(f.ctx, as("prf_a"), notify.Update{DailyDigest: ptr(true), ThreadUpdates: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	if err := f.svc.Watch(f.ctx, as("prf_a"), "app_1", "A"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	if err := f.svc.StopWatching(f.ctx, as("prf_a"), "app_1"); err != nil {
		t.Fatal(err)
	}
	h, err := f.st.History(f.ctx, "prf_a", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h {
		got = append(got, e.Item+" "+string(e.Action)+" "+e.Detail+" by "+e.AccountID)
	}
	diff(t, "history", got, []string{
		"watched_app removed app_1 by acc:prf_a", "watched_app added app_1 by acc:prf_a", "buzz_daily_digest set true by acc:prf_a",
	})
}

func second[T any](_ T, err error) error { return err }
