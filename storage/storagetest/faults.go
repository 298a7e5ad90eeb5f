package storagetest

import (
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// errInjected is the failure a faulty role injects.
var errInjected = errors.New("storagetest: injected failure")

// faults counts the calls merge.Service makes through its roles (InTx
// included), logs them by method name and fails the Nth, counting from
// the last arm.
type faults struct {
	mu     sync.Mutex
	calls  []string
	failAt int // 0: never
}

func (f *faults) arm(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.failAt = nil, n
}

// step logs one call and reports the injected failure on the Nth.
func (f *faults) step(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, method)
	if len(f.calls) == f.failAt {
		return errInjected
	}
	return nil
}

// counts returns how many times each method was called since the last arm.
func (f *faults) counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, m := range f.calls {
		out[m]++
	}
	return out
}

// do wraps a call that returns only an error.
func do(f *faults, method string, call func() error) error {
	if err := f.step(method); err != nil {
		return err
	}
	return call()
}

// get wraps a call that returns a value.
func get[T any](f *faults, method string, call func() (T, error)) (T, error) {
	if err := f.step(method); err != nil {
		var zero T
		return zero, err
	}
	return call()
}

// faultyConfig returns the roles of merge.Config over st, each wrapped to
// count through f. The codes service is not part of it.
func faultyConfig(f *faults, st MergeStore) merge.Config {
	return merge.Config{
		Accounts: faultyAccounts{f, st}, Profiles: faultyProfiles{f, st}, ProfileData: faultyData{f, st},
		History: faultyHistory{f, st}, Notify: faultyNotify{f, st}, Flows: faultyFlows{f, st},
		Expired: faultyExpired{f, st}, Tx: faultyTx{f, st},
	}
}

// counted is a role R of merge.Config whose calls are counted through f;
// each role below is one, with its methods wrapped by do or get.
type counted[R any] struct {
	f *faults
	s R
}

type (
	faultyTx       counted[storage.Transactor]
	faultyAccounts counted[merge.Accounts]
	faultyProfiles counted[merge.Profiles]
	faultyData     counted[merge.ProfileData]
	faultyHistory  counted[merge.History]
	faultyNotify   counted[merge.Notifications]
	faultyFlows    counted[merge.Flows]
	faultyExpired  counted[merge.ExpiredFlows]
)

func (w faultyTx) InTx(ctx context.Context, fn func(context.Context) error) error {
	return do(w.f, "InTx", func() error { return w.s.InTx(ctx, fn) })
}

func (w faultyAccounts) Account(ctx context.Context, id string) (account.Account, error) {
	return get(w.f, "Account", func() (account.Account, error) { return w.s.Account(ctx, id) })
}
func (w faultyAccounts) AccountByEmail(ctx context.Context, email string) (account.Account, error) {
	return get(w.f, "AccountByEmail", func() (account.Account, error) { return w.s.AccountByEmail(ctx, email) })
}
func (w faultyAccounts) AccountsOfProfile(ctx context.Context, id string) ([]account.Account, error) {
	return get(w.f, "AccountsOfProfile", func() ([]account.Account, error) { return w.s.AccountsOfProfile(ctx, id) })
}
func (w faultyAccounts) MoveAccounts(ctx context.Context, from, to string) error {
	return do(w.f, "MoveAccounts", func() error { return w.s.MoveAccounts(ctx, from, to) })
}

func (w faultyProfiles) Profile(ctx context.Context, id string) (profile.Profile, error) {
	return get(w.f, "Profile", func() (profile.Profile, error) { return w.s.Profile(ctx, id) })
}
func (w faultyProfiles) UpdateProfile(ctx context.Context, p profile.Profile) error {
	return do(w.f, "UpdateProfile", func() error { return w.s.UpdateProfile(ctx, p) })
}
func (w faultyProfiles) DeleteProfile(ctx context.Context, id string) error {
	return do(w.f, "DeleteProfile", func() error { return w.s.DeleteProfile(ctx, id) })
}

func (w faultyData) Avatar(ctx context.Context, id string) (profile.Avatar, error) {
	return get(w.f, "Avatar", func() (profile.Avatar, error) { return w.s.Avatar(ctx, id) })
}
func (w faultyData) SetAvatar(ctx context.Context, id string, a profile.Avatar) error {
	return do(w.f, "SetAvatar", func() error { return w.s.SetAvatar(ctx, id, a) })
}
func (w faultyData) Progress(ctx context.Context, id string) (profile.Progress, error) {
	return get(w.f, "Progress", func() (profile.Progress, error) { return w.s.Progress(ctx, id) })
}
func (w faultyData) SaveProgress(ctx context.Context, id string, p profile.Progress) error {
	return do(w.f, "SaveProgress", func() error { return w.s.SaveProgress(ctx, id, p) })
}

func (w faultyHistory) AppendHistory(ctx context.Context, entries ...history.Entry) error {
	return do(w.f, "AppendHistory", func() error { return w.s.AppendHistory(ctx, entries...) })
}
func (w faultyHistory) MoveHistory(ctx context.Context, from, to string) error {
	return do(w.f, "MoveHistory", func() error { return w.s.MoveHistory(ctx, from, to) })
}

func (w faultyNotify) WatchedApps(ctx context.Context, id string) ([]notify.WatchedApp, error) {
	return get(w.f, "WatchedApps", func() ([]notify.WatchedApp, error) { return w.s.WatchedApps(ctx, id) })
}
func (w faultyNotify) MoveWatchedApps(ctx context.Context, from, to string) error {
	return do(w.f, "MoveWatchedApps", func() error { return w.s.MoveWatchedApps(ctx, from, to) })
}
func (w faultyNotify) DeleteNotificationsOfProfile(ctx context.Context, id string) error {
	return do(w.f, "DeleteNotificationsOfProfile", func() error { return w.s.DeleteNotificationsOfProfile(ctx, id) })
}

func (w faultyFlows) CreateMergeFlow(ctx context.Context, r merge.Record) error {
	return do(w.f, "CreateMergeFlow", func() error { return w.s.CreateMergeFlow(ctx, r) })
}
func (w faultyFlows) MergeFlow(ctx context.Context, id string) (merge.Record, error) {
	return get(w.f, "MergeFlow", func() (merge.Record, error) { return w.s.MergeFlow(ctx, id) })
}
func (w faultyFlows) UpdateMergeFlow(ctx context.Context, r merge.Record, from merge.State) error {
	return do(w.f, "UpdateMergeFlow", func() error { return w.s.UpdateMergeFlow(ctx, r, from) })
}
func (w faultyFlows) MergeFlowsOfProfile(ctx context.Context, id string) ([]merge.Record, error) {
	return get(w.f, "MergeFlowsOfProfile", func() ([]merge.Record, error) { return w.s.MergeFlowsOfProfile(ctx, id) })
}

func (w faultyExpired) DeleteExpiredMergeFlows(ctx context.Context, t time.Time) (int, error) {
	return get(w.f, "DeleteExpiredMergeFlows", func() (int, error) { return w.s.DeleteExpiredMergeFlows(ctx, t) })
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
	f := &faults{}
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
		merged, err = w.svc.Commit(ctx, w.as(ada[0].ID), id)
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
	if n < 20 {
		t.Errorf("a commit made %d store calls; the test expected more, is it counting?", n-1)
	}
	f.arm(0)
	mgCheckMerged(t, w, before, merged, ada, old)
}

// testMergeReadsOnce counts the store calls of each step of a flow: the
// signed-in account, the flow, each profile, each side's accounts and
// progress are read once per step, and a commit makes one call per write.
func testMergeReadsOnce(t *testing.T, st MergeStore) {
	ctx := context.Background()
	f := &faults{}
	w := newMergeWorld(t, st, f)
	ada, _ := mgAdaAndOld(t, st)
	me := ada[0].ID
	check := func(step string, want map[string]int) {
		t.Helper()
		if diff := cmp.Diff(want, f.counts()); diff != "" {
			t.Errorf("store calls of %s (-want +got):\n%s", step, diff)
		}
		f.arm(0)
	}
	fl, err := w.svc.Start(ctx, w.as(me), "old1@example.org")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	check("Start", map[string]int{
		"Account": 1, "AccountByEmail": 1, "Profile": 1, "CreateMergeFlow": 1,
	})
	// An address of nobody costs the same reads.
	if _, err := w.svc.Start(ctx, w.as(me), "nobody@example.org"); err != nil {
		t.Fatalf("Start(nobody): %v", err)
	}
	check("Start of an address of nobody", map[string]int{
		"Account": 1, "AccountByEmail": 1, "Profile": 1, "CreateMergeFlow": 1,
	})
	if err := w.svc.SendCode(ctx, w.as(me), fl.ID, 0); err != nil {
		t.Fatalf("SendCode: %v", err)
	}
	check("SendCode", map[string]int{"Account": 1, "MergeFlow": 1, "UpdateMergeFlow": 1})
	sides := map[string]int{
		"Account": 1, "MergeFlow": 1, "Profile": 2, "AccountsOfProfile": 2, "Progress": 2, "WatchedApps": 2,
	}
	if _, err := w.svc.Verify(ctx, w.as(me), fl.ID, mgCode(t, w, "old1@example.org")); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := maps.Clone(sides)
	want["UpdateMergeFlow"] = 1
	check("Verify", want)
	if _, err := w.svc.Preview(ctx, w.as(me), fl.ID); err != nil {
		t.Fatalf("Preview: %v", err)
	}
	want = maps.Clone(sides)
	want["InTx"] = 1
	check("Preview", want)
	if _, err := w.svc.Commit(ctx, w.as(me), fl.ID); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	check("Commit", map[string]int{
		"InTx": 1, "Account": 1, "MergeFlow": 1, "Profile": 2, "AccountsOfProfile": 2, "Progress": 2,
		"Avatar": 1, "SetAvatar": 1, "UpdateProfile": 1, "MoveAccounts": 1, "SaveProgress": 1,
		"MoveWatchedApps": 1, "MoveHistory": 1, "DeleteNotificationsOfProfile": 1,
		"MergeFlowsOfProfile": 1, "DeleteProfile": 1, "AppendHistory": 1, "UpdateMergeFlow": 1,
	})
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
			_, errs[i] = w.svc.Commit(ctx, w.as(r.acct), r.flow)
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
