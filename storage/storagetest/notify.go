package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// NotifyStore is what TestNotifyStore needs: settings and watched apps
// belong to profiles (SQL adapters enforce the foreign key).
type NotifyStore interface {
	storage.Transactor
	Fixture
	notify.Store
}

// TestNotifyStore checks an adapter's notify.Store: saved settings versus
// none, watching and unwatching (idempotent, a new watch after a stop),
// listing order, the digest iterator (order, only saved rows with the
// digest on, early stop), deletion, moving watched apps as a union, not
// found for missing profiles, transaction rollback and 16 goroutines
// watching one app.
func TestNotifyStore(t *testing.T, newStore func(t *testing.T) NotifyStore) {
	t.Run("Settings", func(t *testing.T) { testNotifySettings(t, newStore(t)) })
	t.Run("WatchApp", func(t *testing.T) { testNotifyWatch(t, newStore(t)) })
	t.Run("WatchedAppsOrder", func(t *testing.T) { testNotifyWatchOrder(t, newStore(t)) })
	t.Run("EachDigestSubscriber", func(t *testing.T) { testNotifyDigest(t, newStore(t)) })
	t.Run("DeleteNotificationsOfProfile", func(t *testing.T) { testNotifyDelete(t, newStore(t)) })
	t.Run("MoveWatchedApps", func(t *testing.T) { testNotifyMove(t, newStore(t)) })
	t.Run("ErrNotFound", func(t *testing.T) { testNotifyNotFound(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testNotifyRollback(t, newStore(t)) })
	t.Run("CanceledContext", func(t *testing.T) { testNotifyCanceled(t, newStore(t)) })
	t.Run("WatchRace", func(t *testing.T) { testNotifyWatchRace(t, newStore(t)) })
}

// nsProfiles creates the profiles that settings and watches belong to.
func nsProfiles(t *testing.T, st NotifyStore, ids ...string) {
	t.Helper()
	for _, id := range ids {
		p := profile.Profile{ID: id, CreatedAt: pfNow, UpdatedAt: pfNow}
		if err := st.CreateProfile(context.Background(), p); err != nil {
			t.Fatalf("CreateProfile(%s): %v", id, err)
		}
	}
}

// nsApp returns a watch of the app by the profile, minutes after pfNow.
func nsApp(profileID, appID string, minutes int) notify.WatchedApp {
	return notify.WatchedApp{
		ProfileID: profileID, AppID: appID, AppName: "App " + appID + " ✓",
		Since: pfNow.Add(time.Duration(minutes) * time.Minute),
	}
}

func nsWatch(t *testing.T, st NotifyStore, w notify.WatchedApp, wantAdded bool) {
	t.Helper()
	added, err := st.WatchApp(context.Background(), w)
	if err != nil {
		t.Fatalf("WatchApp(%s, %s): %v", w.ProfileID, w.AppID, err)
	}
	if added != wantAdded {
		t.Errorf("WatchApp(%s, %s) added = %v, want %v", w.ProfileID, w.AppID, added, wantAdded)
	}
}

func nsUnwatch(t *testing.T, st NotifyStore, profileID, appID string, wantRemoved bool) {
	t.Helper()
	removed, err := st.UnwatchApp(context.Background(), profileID, appID)
	if err != nil {
		t.Fatalf("UnwatchApp(%s, %s): %v", profileID, appID, err)
	}
	if removed != wantRemoved {
		t.Errorf("UnwatchApp(%s, %s) removed = %v, want %v", profileID, appID, removed, wantRemoved)
	}
}

func nsApps(t *testing.T, st NotifyStore, profileID string) []notify.WatchedApp {
	t.Helper()
	got, err := st.WatchedApps(context.Background(), profileID)
	if err != nil {
		t.Fatalf("WatchedApps(%s): %v", profileID, err)
	}
	return got
}

func nsSave(t *testing.T, st NotifyStore, s notify.Settings) {
	t.Helper()
	if err := st.SaveNotificationSettings(context.Background(), s); err != nil {
		t.Fatalf("SaveNotificationSettings(%s): %v", s.ProfileID, err)
	}
}

// nsSettings returns the saved settings, or nil when there are none.
func nsSettings(t *testing.T, st NotifyStore, profileID string) *notify.Settings {
	t.Helper()
	got, ok, err := st.NotificationSettings(context.Background(), profileID)
	if err != nil {
		t.Fatalf("NotificationSettings(%s): %v", profileID, err)
	}
	if !ok {
		if got != (notify.Settings{}) {
			t.Errorf("NotificationSettings(%s) = %+v, false; want the zero Settings", profileID, got)
		}
		return nil
	}
	return &got
}

// nsDigest collects what EachDigestSubscriber yields.
func nsDigest(t *testing.T, st NotifyStore) []string {
	t.Helper()
	var ids []string
	err := st.EachDigestSubscriber(context.Background(), func(id string) error {
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		t.Fatalf("EachDigestSubscriber: %v", err)
	}
	return ids
}

func testNotifySettings(t *testing.T, st NotifyStore) {
	nsProfiles(t, st, "prf_a", "prf_b")
	pfDiff(t, "never saved", nsSettings(t, st, "prf_a"), (*notify.Settings)(nil))
	pfDiff(t, "unknown profile", nsSettings(t, st, "prf_none"), (*notify.Settings)(nil))

	a := notify.Settings{ProfileID: "prf_a", DailyDigest: true, ThreadUpdates: false}
	nsSave(t, st, a)
	pfDiff(t, "saved", nsSettings(t, st, "prf_a"), &a)
	pfDiff(t, "other profile", nsSettings(t, st, "prf_b"), (*notify.Settings)(nil))

	a = notify.Settings{ProfileID: "prf_a", DailyDigest: false, ThreadUpdates: true}
	nsSave(t, st, a)
	pfDiff(t, "replaced", nsSettings(t, st, "prf_a"), &a)
	b := notify.Settings{ProfileID: "prf_b"} // both off is a saved row too
	nsSave(t, st, b)
	pfDiff(t, "both off", nsSettings(t, st, "prf_b"), &b)
}

func testNotifyWatch(t *testing.T, st NotifyStore) {
	nsProfiles(t, st, "prf_a", "prf_b")
	w := nsApp("prf_a", "app_1", 0)
	nsWatch(t, st, w, true)
	again := w
	again.AppName, again.Since = "Renamed", pfNow.Add(time.Hour)
	nsWatch(t, st, again, false)
	pfDiff(t, "watch kept", nsApps(t, st, "prf_a"), []notify.WatchedApp{w})
	pfDiff(t, "other profile", nsApps(t, st, "prf_b"), []notify.WatchedApp(nil))
	pfDiff(t, "unknown profile", nsApps(t, st, "prf_none"), []notify.WatchedApp(nil))

	nsWatch(t, st, nsApp("prf_b", "app_1", 5), true) // same app, other profile
	nsUnwatch(t, st, "prf_a", "app_1", true)
	nsUnwatch(t, st, "prf_a", "app_1", false)
	nsUnwatch(t, st, "prf_none", "app_x", false)
	pfDiff(t, "after unwatch", nsApps(t, st, "prf_a"), []notify.WatchedApp(nil))
	pfDiff(t, "other profile keeps its watch", nsApps(t, st, "prf_b"), []notify.WatchedApp{nsApp("prf_b", "app_1", 5)})

	nsWatch(t, st, again, true)
	pfDiff(t, "new watch after stop", nsApps(t, st, "prf_a"), []notify.WatchedApp{again})
}

func testNotifyWatchOrder(t *testing.T, st NotifyStore) {
	nsProfiles(t, st, "prf_a")
	want := []notify.WatchedApp{
		nsApp("prf_a", "app_z", 0),
		nsApp("prf_a", "app_b", 1),
		nsApp("prf_a", "app_c", 1), // same Since: AppID breaks the tie
		nsApp("prf_a", "app_a", 2),
	}
	for _, i := range []int{3, 2, 0, 1} {
		nsWatch(t, st, want[i], true)
	}
	pfDiff(t, "ordered by Since, then AppID", nsApps(t, st, "prf_a"), want)
}

func testNotifyDigest(t *testing.T, st NotifyStore) {
	nsProfiles(t, st, "prf_c", "prf_a", "prf_b", "prf_d", "prf_e")
	pfDiff(t, "nobody saved", nsDigest(t, st), []string(nil))
	nsSave(t, st, notify.Settings{ProfileID: "prf_c", DailyDigest: true})
	nsSave(t, st, notify.Settings{ProfileID: "prf_a", DailyDigest: true, ThreadUpdates: true})
	nsSave(t, st, notify.Settings{ProfileID: "prf_b", DailyDigest: false, ThreadUpdates: true})
	nsSave(t, st, notify.Settings{ProfileID: "prf_e", DailyDigest: true})
	nsSave(t, st, notify.Settings{ProfileID: "prf_e", DailyDigest: false})
	pfDiff(t, "subscribers", nsDigest(t, st), []string{"prf_a", "prf_c"})

	// fn may read the store while iterating (outside a transaction).
	errEnough := errors.New("enough")
	var seen []string
	err := st.EachDigestSubscriber(context.Background(), func(id string) error {
		if _, _, err := st.NotificationSettings(context.Background(), id); err != nil {
			return err
		}
		seen = append(seen, id)
		return errEnough
	})
	wantErr(t, "early stop", err, errEnough)
	pfDiff(t, "seen before stop", seen, []string{"prf_a"})
}

func testNotifyDelete(t *testing.T, st NotifyStore) {
	nsProfiles(t, st, "prf_a", "prf_b")
	for _, p := range []string{"prf_a", "prf_b"} {
		nsSave(t, st, notify.Settings{ProfileID: p, DailyDigest: true})
		nsWatch(t, st, nsApp(p, "app_1", 0), true)
		nsWatch(t, st, nsApp(p, "app_2", 1), true)
	}
	ctx := context.Background()
	if err := st.DeleteNotificationsOfProfile(ctx, "prf_a"); err != nil {
		t.Fatalf("DeleteNotificationsOfProfile: %v", err)
	}
	pfDiff(t, "settings deleted", nsSettings(t, st, "prf_a"), (*notify.Settings)(nil))
	pfDiff(t, "watches deleted", nsApps(t, st, "prf_a"), []notify.WatchedApp(nil))
	pfDiff(t, "digest", nsDigest(t, st), []string{"prf_b"})
	pfDiff(t, "other settings", nsSettings(t, st, "prf_b"), &notify.Settings{ProfileID: "prf_b", DailyDigest: true})
	pfDiff(t, "other watches", nsApps(t, st, "prf_b"), []notify.WatchedApp{nsApp("prf_b", "app_1", 0), nsApp("prf_b", "app_2", 1)})
	if err := st.DeleteNotificationsOfProfile(ctx, "prf_a"); err != nil {
		t.Errorf("DeleteNotificationsOfProfile again: %v", err)
	}
	if err := st.DeleteNotificationsOfProfile(ctx, "prf_none"); err != nil {
		t.Errorf("DeleteNotificationsOfProfile(unknown): %v", err)
	}
}

func testNotifyMove(t *testing.T, st NotifyStore) {
	nsProfiles(t, st, "prf_from", "prf_to", "prf_other")
	nsSave(t, st, notify.Settings{ProfileID: "prf_from", DailyDigest: true})
	nsWatch(t, st, nsApp("prf_from", "app_1", 0), true)
	nsWatch(t, st, nsApp("prf_from", "app_2", 1), true)
	nsWatch(t, st, nsApp("prf_to", "app_2", 5), true)
	nsWatch(t, st, nsApp("prf_to", "app_3", 6), true)
	nsWatch(t, st, nsApp("prf_other", "app_1", 7), true)
	ctx := context.Background()
	if err := st.MoveWatchedApps(ctx, "prf_from", "prf_to"); err != nil {
		t.Fatalf("MoveWatchedApps: %v", err)
	}
	moved := nsApp("prf_to", "app_1", 0)
	moved.AppName = nsApp("prf_from", "app_1", 0).AppName
	pfDiff(t, "union", nsApps(t, st, "prf_to"), []notify.WatchedApp{moved, nsApp("prf_to", "app_2", 5), nsApp("prf_to", "app_3", 6)})
	pfDiff(t, "from emptied", nsApps(t, st, "prf_from"), []notify.WatchedApp(nil))
	pfDiff(t, "settings untouched", nsSettings(t, st, "prf_from"), &notify.Settings{ProfileID: "prf_from", DailyDigest: true})
	pfDiff(t, "other profile untouched", nsApps(t, st, "prf_other"), []notify.WatchedApp{nsApp("prf_other", "app_1", 7)})

	if err := st.MoveWatchedApps(ctx, "prf_to", "prf_to"); err != nil {
		t.Errorf("MoveWatchedApps to itself: %v", err)
	}
	if n := len(nsApps(t, st, "prf_to")); n != 3 {
		t.Errorf("after moving to itself: %d watches, want 3", n)
	}
	if err := st.MoveWatchedApps(ctx, "prf_none", "prf_to"); err != nil {
		t.Errorf("MoveWatchedApps from unknown profile: %v", err)
	}
}

func testNotifyNotFound(t *testing.T, st NotifyStore) {
	nsProfiles(t, st, "prf_a")
	ctx := context.Background()
	err := st.SaveNotificationSettings(ctx, notify.Settings{ProfileID: "prf_none", DailyDigest: true})
	wantErr(t, "SaveNotificationSettings", err, storage.ErrNotFound)
	_, err = st.WatchApp(ctx, nsApp("prf_none", "app_1", 0))
	wantErr(t, "WatchApp", err, storage.ErrNotFound)
	nsWatch(t, st, nsApp("prf_a", "app_1", 0), true)
	wantErr(t, "MoveWatchedApps", st.MoveWatchedApps(ctx, "prf_a", "prf_none"), storage.ErrNotFound)
	pfDiff(t, "nothing moved", nsApps(t, st, "prf_a"), []notify.WatchedApp{nsApp("prf_a", "app_1", 0)})
	pfDiff(t, "nothing saved", nsDigest(t, st), []string(nil))
}

func testNotifyRollback(t *testing.T, st NotifyStore) {
	nsProfiles(t, st, "prf_a", "prf_b")
	before := notify.Settings{ProfileID: "prf_a", ThreadUpdates: true}
	nsSave(t, st, before)
	nsWatch(t, st, nsApp("prf_a", "app_1", 0), true)
	nsWatch(t, st, nsApp("prf_b", "app_2", 1), true)
	err := st.InTx(context.Background(), func(ctx context.Context) error {
		steps := []error{
			st.SaveNotificationSettings(ctx, notify.Settings{ProfileID: "prf_a", DailyDigest: true}),
			st.SaveNotificationSettings(ctx, notify.Settings{ProfileID: "prf_b", DailyDigest: true}),
			nsErr(st.WatchApp(ctx, nsApp("prf_a", "app_3", 2))),
			nsErr(st.UnwatchApp(ctx, "prf_a", "app_1")),
			st.MoveWatchedApps(ctx, "prf_b", "prf_a"),
			st.DeleteNotificationsOfProfile(ctx, "prf_a"),
		}
		if err := errors.Join(steps...); err != nil {
			t.Errorf("steps inside InTx: %v", err)
		}
		// Reads inside the transaction see its writes.
		got, ok, err := st.NotificationSettings(ctx, "prf_b")
		if err != nil || !ok || !got.DailyDigest {
			t.Errorf("inside InTx: NotificationSettings = %+v, %v, %v; want the digest on", got, ok, err)
		}
		return errPfBoom
	})
	wantErr(t, "InTx", err, errPfBoom)
	pfDiff(t, "settings after rollback", nsSettings(t, st, "prf_a"), &before)
	pfDiff(t, "no settings after rollback", nsSettings(t, st, "prf_b"), (*notify.Settings)(nil))
	pfDiff(t, "watches after rollback", nsApps(t, st, "prf_a"), []notify.WatchedApp{nsApp("prf_a", "app_1", 0)})
	pfDiff(t, "other watches after rollback", nsApps(t, st, "prf_b"), []notify.WatchedApp{nsApp("prf_b", "app_2", 1)})
	pfDiff(t, "digest after rollback", nsDigest(t, st), []string(nil))
}

// nsErr returns the error of a (value, error) pair.
func nsErr[T any](_ T, err error) error { return err }

func testNotifyCanceled(t *testing.T, st NotifyStore) {
	nsProfiles(t, st, "prf_a")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := st.NotificationSettings(ctx, "prf_a")
	wantErr(t, "NotificationSettings", err, context.Canceled)
	wantErr(t, "SaveNotificationSettings", st.SaveNotificationSettings(ctx, notify.Settings{ProfileID: "prf_a"}), context.Canceled)
	_, err = st.WatchApp(ctx, nsApp("prf_a", "app_1", 0))
	wantErr(t, "WatchApp", err, context.Canceled)
	_, err = st.WatchedApps(ctx, "prf_a")
	wantErr(t, "WatchedApps", err, context.Canceled)
	err = st.EachDigestSubscriber(ctx, func(string) error { return nil })
	wantErr(t, "EachDigestSubscriber", err, context.Canceled)
}

func testNotifyWatchRace(t *testing.T, st NotifyStore) {
	nsProfiles(t, st, "prf_a")
	const n = 16
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		added int
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := st.WatchApp(context.Background(), nsApp("prf_a", "app_1", i))
			if err != nil {
				t.Errorf("WatchApp: %v", err)
			}
			if ok {
				mu.Lock()
				added++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if added != 1 {
		t.Errorf("%d goroutines added the watch, want exactly 1", added)
	}
	if got := nsApps(t, st, "prf_a"); len(got) != 1 {
		t.Errorf("%d watches stored, want 1", len(got))
	}
}
