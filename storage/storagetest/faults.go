package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// errInjected is the failure a faulty store injects.
var errInjected = errors.New("storagetest: injected failure")

// faulty wraps the stores of a merge and fails the Nth call made through
// it (InTx included), counting from the last failAt.
type faulty struct {
	mergeDeps
	mu     sync.Mutex
	calls  int
	failAt int // 0: never
}

func (f *faulty) arm(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.failAt = 0, n
}

// step counts one call and reports the injected failure on the Nth.
func (f *faulty) step() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls == f.failAt {
		return errInjected
	}
	return nil
}

func (f *faulty) InTx(ctx context.Context, fn func(context.Context) error) error {
	return f.do(func() error { return f.mergeDeps.InTx(ctx, fn) })
}

func (f *faulty) do(call func() error) error {
	if err := f.step(); err != nil {
		return err
	}
	return call()
}

// get wraps a call that returns a value.
func get[T any](f *faulty, call func() (T, error)) (T, error) {
	if err := f.step(); err != nil {
		var zero T
		return zero, err
	}
	return call()
}

func (f *faulty) CreateProfile(ctx context.Context, p profile.Profile) error {
	return f.do(func() error { return f.mergeDeps.CreateProfile(ctx, p) })
}
func (f *faulty) Profile(ctx context.Context, id string) (profile.Profile, error) {
	return get(f, func() (profile.Profile, error) { return f.mergeDeps.Profile(ctx, id) })
}
func (f *faulty) UpdateProfile(ctx context.Context, p profile.Profile) error {
	return f.do(func() error { return f.mergeDeps.UpdateProfile(ctx, p) })
}
func (f *faulty) DeleteProfile(ctx context.Context, id string) error {
	return f.do(func() error { return f.mergeDeps.DeleteProfile(ctx, id) })
}
func (f *faulty) SetAvatar(ctx context.Context, id string, a profile.Avatar) error {
	return f.do(func() error { return f.mergeDeps.SetAvatar(ctx, id, a) })
}
func (f *faulty) DeleteAvatar(ctx context.Context, id string) error {
	return f.do(func() error { return f.mergeDeps.DeleteAvatar(ctx, id) })
}
func (f *faulty) Avatar(ctx context.Context, id string) (profile.Avatar, error) {
	return get(f, func() (profile.Avatar, error) { return f.mergeDeps.Avatar(ctx, id) })
}
func (f *faulty) Progress(ctx context.Context, id string) (profile.Progress, error) {
	return get(f, func() (profile.Progress, error) { return f.mergeDeps.Progress(ctx, id) })
}
func (f *faulty) SaveProgress(ctx context.Context, id string, p profile.Progress) error {
	return f.do(func() error { return f.mergeDeps.SaveProgress(ctx, id, p) })
}

func (f *faulty) CreateAccount(ctx context.Context, a account.Account) error {
	return f.do(func() error { return f.mergeDeps.CreateAccount(ctx, a) })
}
func (f *faulty) Account(ctx context.Context, id string) (account.Account, error) {
	return get(f, func() (account.Account, error) { return f.mergeDeps.Account(ctx, id) })
}
func (f *faulty) AccountByEmail(ctx context.Context, email string) (account.Account, error) {
	return get(f, func() (account.Account, error) { return f.mergeDeps.AccountByEmail(ctx, email) })
}
func (f *faulty) AccountsOfProfile(ctx context.Context, id string) ([]account.Account, error) {
	return get(f, func() ([]account.Account, error) { return f.mergeDeps.AccountsOfProfile(ctx, id) })
}
func (f *faulty) UpdateAccount(ctx context.Context, a account.Account) error {
	return f.do(func() error { return f.mergeDeps.UpdateAccount(ctx, a) })
}
func (f *faulty) DeleteAccount(ctx context.Context, id string) error {
	return f.do(func() error { return f.mergeDeps.DeleteAccount(ctx, id) })
}

func (f *faulty) AppendHistory(ctx context.Context, entries ...history.Entry) error {
	return f.do(func() error { return f.mergeDeps.AppendHistory(ctx, entries...) })
}
func (f *faulty) History(ctx context.Context, id string, offset, limit int) ([]history.Entry, error) {
	return get(f, func() ([]history.Entry, error) { return f.mergeDeps.History(ctx, id, offset, limit) })
}
func (f *faulty) MoveHistory(ctx context.Context, from, to string) error {
	return f.do(func() error { return f.mergeDeps.MoveHistory(ctx, from, to) })
}
func (f *faulty) DeleteHistoryOfProfile(ctx context.Context, id string) error {
	return f.do(func() error { return f.mergeDeps.DeleteHistoryOfProfile(ctx, id) })
}

func (f *faulty) WatchedApps(ctx context.Context, id string) ([]notify.WatchedApp, error) {
	return get(f, func() ([]notify.WatchedApp, error) { return f.mergeDeps.WatchedApps(ctx, id) })
}
func (f *faulty) MoveWatchedApps(ctx context.Context, from, to string) error {
	return f.do(func() error { return f.mergeDeps.MoveWatchedApps(ctx, from, to) })
}
func (f *faulty) DeleteNotificationsOfProfile(ctx context.Context, id string) error {
	return f.do(func() error { return f.mergeDeps.DeleteNotificationsOfProfile(ctx, id) })
}
func (f *faulty) SaveNotificationSettings(ctx context.Context, s notify.Settings) error {
	return f.do(func() error { return f.mergeDeps.SaveNotificationSettings(ctx, s) })
}

func (f *faulty) CreateMergeFlow(ctx context.Context, r merge.Record) error {
	return f.do(func() error { return f.mergeDeps.CreateMergeFlow(ctx, r) })
}
func (f *faulty) MergeFlow(ctx context.Context, id string) (merge.Record, error) {
	return get(f, func() (merge.Record, error) { return f.mergeDeps.MergeFlow(ctx, id) })
}
func (f *faulty) UpdateMergeFlow(ctx context.Context, r merge.Record, from merge.State) error {
	return f.do(func() error { return f.mergeDeps.UpdateMergeFlow(ctx, r, from) })
}
func (f *faulty) MergeFlowsOfProfile(ctx context.Context, id string) ([]merge.Record, error) {
	return get(f, func() ([]merge.Record, error) { return f.mergeDeps.MergeFlowsOfProfile(ctx, id) })
}
func (f *faulty) MoveAccounts(ctx context.Context, from, to string) error {
	return f.do(func() error { return f.mergeDeps.MoveAccounts(ctx, from, to) })
}
func (f *faulty) MergeProgress(ctx context.Context, from, to string) error {
	return f.do(func() error { return f.mergeDeps.MergeProgress(ctx, from, to) })
}

// mgSnapshot is everything a merge may change about some profiles.
type mgSnapshot struct {
	Profiles map[string]*profile.Profile // nil: not found
	Avatars  map[string][]byte
	Accounts map[string][]account.Account
	Progress map[string]profile.Progress
	History  map[string][]history.Entry
	Watched  map[string][]notify.WatchedApp
	Settings map[string]*notify.Settings
	Flows    map[string][]merge.Record
}

func mgSnap(t *testing.T, st MergeStore, ids ...string) mgSnapshot {
	t.Helper()
	ctx := context.Background()
	s := mgSnapshot{
		Profiles: map[string]*profile.Profile{}, Avatars: map[string][]byte{}, Accounts: map[string][]account.Account{},
		Progress: map[string]profile.Progress{}, History: map[string][]history.Entry{},
		Watched: map[string][]notify.WatchedApp{}, Settings: map[string]*notify.Settings{}, Flows: map[string][]merge.Record{},
	}
	must := func(what string, err error) {
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("snapshot: %s: %v", what, err)
		}
	}
	for _, id := range ids {
		p, err := st.Profile(ctx, id)
		must("profile", err)
		if err == nil {
			s.Profiles[id] = &p
		}
		av, err := st.Avatar(ctx, id)
		must("avatar", err)
		s.Avatars[id] = av.Data
		s.Accounts[id], err = st.AccountsOfProfile(ctx, id)
		must("accounts", err)
		s.Progress[id], err = st.Progress(ctx, id)
		must("progress", err)
		s.History[id], err = st.History(ctx, id, 0, 1<<20)
		must("history", err)
		s.Watched[id], err = st.WatchedApps(ctx, id)
		must("watched apps", err)
		set, ok, err := st.NotificationSettings(ctx, id)
		must("settings", err)
		if ok {
			s.Settings[id] = &set
		}
		s.Flows[id], err = st.MergeFlowsOfProfile(ctx, id)
		must("flows", err)
	}
	return s
}

// side is the merge.Side of a profile in the snapshot.
func (s mgSnapshot) side(id string) merge.Side {
	sd := merge.Side{Profile: *s.Profiles[id], Progress: s.Progress[id]}
	for _, w := range s.Watched[id] {
		sd.WatchedApps = append(sd.WatchedApps, w.AppID)
	}
	return sd
}

// testMergeFaults fails the Nth store call of a commit for N = 1, 2, …
// until the commit succeeds; after each failure both profiles must be
// exactly as before and no notice may have been sent.
func testMergeFaults(t *testing.T, st MergeStore) {
	ctx := context.Background()
	f := &faulty{mergeDeps: st}
	w := newMergeWorld(t, st, f)
	ada, old := mgAdaAndOld(t, st)
	id, _ := mgVerified(t, w, ada[0].ID, "old1@example.org", 0)
	before := mgSnap(t, st, "prf_ada", "prf_old")
	sent := len(w.outbox.Messages())
	var merged profile.Profile
	n := 1
	for ; ; n++ {
		if n > 100 {
			t.Fatalf("Commit still fails after %d injected failures", n)
		}
		f.arm(n)
		var err error
		merged, err = w.svc.Commit(ctx, ada[0].ID, id)
		if err == nil {
			break
		}
		if !errors.Is(err, errInjected) {
			t.Fatalf("Commit failing at call %d: got %v, want the injected failure", n, err)
		}
		if diff := cmp.Diff(before, mgSnap(t, st, "prf_ada", "prf_old"), pfEmpty); diff != "" {
			t.Fatalf("Commit failing at call %d changed data (-before +after):\n%s", n, diff)
		}
		if got := len(w.outbox.Messages()); got != sent {
			t.Fatalf("Commit failing at call %d sent %d messages", n, got-sent)
		}
	}
	if n < 15 {
		t.Errorf("a commit made %d store calls; the test expected more, is it counting?", n-1)
	}
	f.arm(0)
	mgCheckMerged(t, w, before, merged, ada, old)
}

// testMergeConcurrent commits two verified merges touching one profile at
// once: A←B with B←A, or (sameOther) A←B with C←B. Exactly one succeeds,
// the other gets merge.ErrProfileChanged, and nothing is lost or
// duplicated.
func testMergeConcurrent(t *testing.T, st MergeStore, sameOther bool) {
	ctx := context.Background()
	w := newMergeWorld(t, st, nil)
	a := mgPerson(t, st, profile.Profile{ID: "prf_a", Name: "A"}, "a@example.com")
	b := mgPerson(t, st, profile.Profile{ID: "prf_b", Name: "B"}, "b@example.com")
	c := mgPerson(t, st, profile.Profile{ID: "prf_c", Name: "C"}, "c@example.com")
	for i, p := range []string{"prf_a", "prf_b", "prf_c"} {
		mgFill(t, st, p, p, int64(100*(i+1)), i == 0)
	}
	ids := []string{"prf_a", "prf_b", "prf_c"}
	before := mgSnap(t, st, ids...)
	type run struct{ acct, flow string }
	var runs []run
	id1, _ := mgVerified(t, w, a[0].ID, "b@example.com", 0)
	runs = append(runs, run{a[0].ID, id1})
	if sameOther {
		id2, _ := mgVerified(t, w, c[0].ID, "b@example.com", 0)
		runs = append(runs, run{c[0].ID, id2})
	} else {
		id2, _ := mgVerified(t, w, b[0].ID, "a@example.com", 0)
		runs = append(runs, run{b[0].ID, id2})
	}
	errs := make([]error, len(runs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = w.svc.Commit(ctx, r.acct, r.flow)
		}()
	}
	close(start)
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Fatalf("both merges succeeded")
		case !errors.Is(err, merge.ErrProfileChanged):
			t.Errorf("losing merge: got %v, want ErrProfileChanged", err)
		}
	}
	if won < 0 {
		t.Fatalf("no merge succeeded: %v", errs)
	}
	mgCheckConserved(t, st, before, mgSnap(t, st, ids...))
}

// mgCheckConserved checks that exactly one profile disappeared and that
// every account, point, history entry, achievement and watched app of the
// profiles before is still there exactly once (plus one merge entry).
func mgCheckConserved(t *testing.T, st MergeStore, before, after mgSnapshot) {
	t.Helper()
	type totals struct {
		Profiles, History, Merges int
		Points                    int64
		Accounts                  map[string]int64 // id → credits
		Achievements, Apps        map[string]int
	}
	sum := func(s mgSnapshot) totals {
		tt := totals{Accounts: map[string]int64{}, Achievements: map[string]int{}, Apps: map[string]int{}}
		for id, p := range s.Profiles {
			if p == nil {
				continue
			}
			tt.Profiles++
			tt.Points += s.Progress[id].Points
			for _, e := range s.History[id] {
				if e.Item == "merge" {
					tt.Merges++
				} else {
					tt.History++
				}
			}
			for _, a := range s.Accounts[id] {
				tt.Accounts[a.ID] = a.Credits
			}
			for _, a := range s.Progress[id].Achievements {
				tt.Achievements[a.ID]++
			}
			for _, a := range s.Watched[id] {
				tt.Apps[a.AppID]++
			}
		}
		return tt
	}
	b, a := sum(before), sum(after)
	want := b
	want.Profiles--
	want.Merges++
	want.Achievements, want.Apps = map[string]int{}, map[string]int{}
	for k := range b.Achievements {
		want.Achievements[k] = 1
	}
	for k := range b.Apps {
		want.Apps[k] = 1
	}
	want.Achievements["shared"], want.Apps["app-shared"] = 2, 2 // the third profile keeps its own
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("after two concurrent merges (-want +got):\n%s", diff)
	}
}
