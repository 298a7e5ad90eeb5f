package storagetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// MergeStore is what TestMerge needs: every Store the merge flow reads or
// writes, and the codes it sends.
type MergeStore interface {
	storage.Transactor
	profile.Store
	account.Store
	verification.Store
	history.Store
	notify.Store
	merge.Store
}

// TestMerge checks an adapter's merge.Store and runs the whole merge flow
// of package merge on it: the flow records (create, read, state changes
// that only move from the expected state, listing, erasure, expiry), a
// commit's combined progress (merge.CombineProgress, saved through
// profile.Store, across list sizes that need several statements), the
// flow end to end with the code read from an outbox, expiry on a fake
// clock, the attempt cap, takeover attempts, an address that belongs to
// nobody, a profile that changed after the preview, the reads of each
// step (the flow, the signed-in account and each side read once), a store
// that fails the Nth call at every N of a commit (both profiles exactly
// as before, then a retry succeeds) and two merges of one profile at once
// (one succeeds, the other gets merge.ErrProfileChanged, nothing lost or
// duplicated).
func TestMerge(t *testing.T, newStore func(t *testing.T) MergeStore) {
	t.Run("FlowStore", func(t *testing.T) { testMergeFlowStore(t, newStore(t)) })
	t.Run("FlowStoreRollback", func(t *testing.T) { testMergeFlowRollback(t, newStore(t)) })
	t.Run("Progress", func(t *testing.T) { testCommitProgress(t, newStore(t)) })
	t.Run("EndToEnd", func(t *testing.T) { testMergeEndToEnd(t, newStore(t)) })
	t.Run("Expiry", func(t *testing.T) { testMergeExpiry(t, newStore(t)) })
	t.Run("AttemptCap", func(t *testing.T) { testMergeAttemptCap(t, newStore(t)) })
	t.Run("StateMachine", func(t *testing.T) { testMergeStates(t, newStore(t)) })
	t.Run("Takeover", func(t *testing.T) { testMergeTakeover(t, newStore(t)) })
	t.Run("UnknownAddress", func(t *testing.T) { testMergeUnknownAddress(t, newStore(t)) })
	t.Run("ErrProfileChanged", func(t *testing.T) { testMergeProfileChanged(t, newStore(t)) })
	t.Run("ReadsOnce", func(t *testing.T) { testMergeReadsOnce(t, newStore(t)) })
	t.Run("FaultInjection", func(t *testing.T) { testMergeFaults(t, newStore(t)) })
	t.Run("ConcurrentOpposite", func(t *testing.T) { testMergeConcurrent(t, newStore(t), false) })
	t.Run("ConcurrentSameOther", func(t *testing.T) { testMergeConcurrent(t, newStore(t), true) })
}

// mgWorld is a merge service over a store, with a fake clock and an
// outbox. base is the store itself; the service may run over counting
// wrappers of its roles.
type mgWorld struct {
	base   MergeStore
	clock  *fakeclock.Clock
	outbox *notify.Outbox
	codes  *verification.Service
	svc    *merge.Service
}

// newMergeWorld returns a merge service over st; with f, every call the
// service makes through its roles is counted by f (the codes service
// keeps using the store itself).
func newMergeWorld(t *testing.T, st MergeStore, f *faults) *mgWorld {
	t.Helper()
	w := &mgWorld{base: st, clock: fakeclock.New(pfNow)}
	w.outbox = &notify.Outbox{Now: w.clock.Now}
	w.codes = verification.NewService(verification.Config{Store: st, Tx: st, Mailer: w.outbox, Now: w.clock.Now})
	c := merge.Config{
		Accounts: st, Profiles: st, ProfileData: st, History: st, Notify: st, Flows: st, Expired: st, Tx: st,
	}
	if f != nil {
		c = faultyConfig(f, st)
	}
	c.Codes, c.Notices, c.Now = w.codes, &notify.Notifier{Mailer: w.outbox}, w.clock.Now
	w.svc = merge.NewService(c)
	return w
}

// as returns the caller of the account, signed in now on the world's
// clock.
func (w *mgWorld) as(accountID string) auth.Caller {
	return auth.New(accountID, auth.MethodPassword, w.clock.Now(), "")
}

// mgPerson creates a profile with accounts for the addresses (ids
// "acc_" + address), each with some credits, and returns the accounts.
func mgPerson(t *testing.T, st MergeStore, p profile.Profile, emails ...string) []account.Account {
	t.Helper()
	ctx := context.Background()
	if p.CreatedAt.IsZero() {
		p.CreatedAt, p.UpdatedAt = pfNow, pfNow
	}
	if err := st.CreateProfile(ctx, p); err != nil {
		t.Fatalf("CreateProfile(%s): %v", p.ID, err)
	}
	var out []account.Account
	for i, e := range emails {
		a := account.Account{
			ID: "acc_" + e, ProfileID: p.ID, Email: e, Status: account.StatusActive,
			Credits: int64(10 * (i + 1)), CreatedAt: pfNow.Add(time.Duration(i) * time.Second),
		}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatalf("CreateAccount(%s): %v", e, err)
		}
		out = append(out, a)
	}
	return out
}

// mgFill gives a profile progress, watched apps, settings and history,
// all tagged with tag so that two profiles differ.
func mgFill(t *testing.T, st MergeStore, profileID, tag string, points int64, digest bool) {
	t.Helper()
	ctx := context.Background()
	pr := profile.Progress{
		Points: points,
		Achievements: []profile.Achievement{
			{ID: "shared", Name: "Shared " + tag, AwardedAt: pfNow.Add(-time.Duration(points) * time.Hour)},
			{ID: "own-" + tag, Name: "Own " + tag, AwardedAt: pfNow},
		},
		Certifications: []profile.Certification{{ID: "cert", Name: "Cert " + tag, ValidUntil: pfNow.Add(time.Duration(points) * time.Hour)}},
		Academy:        []profile.CourseProgress{{CourseID: "course", Title: "Course " + tag, Percent: int(points % 100)}},
	}
	if err := st.SaveProgress(ctx, profileID, pr); err != nil {
		t.Fatalf("SaveProgress(%s): %v", profileID, err)
	}
	for i, app := range []string{"app-shared", "app-" + tag} {
		w := notify.WatchedApp{ProfileID: profileID, AppID: app, AppName: app, Since: pfNow.Add(time.Duration(i) * time.Minute)}
		if _, err := st.WatchApp(ctx, w); err != nil {
			t.Fatalf("WatchApp(%s): %v", profileID, err)
		}
	}
	if err := st.SaveNotificationSettings(ctx, notify.Settings{ProfileID: profileID, DailyDigest: digest, ThreadUpdates: !digest}); err != nil {
		t.Fatalf("SaveNotificationSettings(%s): %v", profileID, err)
	}
	for i := range 3 {
		e := history.Entry{
			ID: "his_" + tag + string(rune('a'+i)), ProfileID: profileID, Item: "job_title",
			Action: history.ActionSet, At: pfNow.Add(-time.Duration(i) * time.Minute),
		}
		if err := st.AppendHistory(ctx, e); err != nil {
			t.Fatalf("AppendHistory(%s): %v", profileID, err)
		}
	}
}

// mgAda and mgOld are the two profiles of one person that most tests
// merge: the signed-in Ada (one account) and her old profile (two
// accounts, an avatar and a recovery address).
func mgAdaAndOld(t *testing.T, st MergeStore) (ada, old []account.Account) {
	t.Helper()
	ada = mgPerson(t, st, profile.Profile{
		ID: "prf_ada", Name: "Ada Lovelace", JobTitle: "Engineer", Skills: []string{"Go"}, Public: true,
	}, "ada@example.com")
	old = mgPerson(t, st, profile.Profile{
		ID: "prf_old", Name: "A. Lovelace", Country: "GB", Skills: []string{"go", "SQL"},
		RecoveryEmail: "ada.private@example.net",
	}, "old1@example.org", "old2@example.org")
	av := profile.Avatar{
		AvatarInfo: profile.AvatarInfo{ContentType: "image/png", Size: 4, Width: 1, Height: 1, Digest: "d0d0"},
		Data:       []byte{1, 2, 3, 4},
	}
	if err := st.SetAvatar(context.Background(), "prf_old", av); err != nil {
		t.Fatalf("SetAvatar: %v", err)
	}
	mgFill(t, st, "prf_ada", "ada", 120, true)
	mgFill(t, st, "prf_old", "old", 30, false)
	return ada, old
}

// mgCode returns the code of the newest message to the address.
func mgCode(t *testing.T, w *mgWorld, to string) string {
	t.Helper()
	m, ok := w.outbox.Last(to)
	if !ok {
		t.Fatalf("no message to %s", to)
	}
	return usersettingstest.MailCode(t, "the message to "+to, m.Body)
}

// mgVerified runs a flow up to the verified state, sending the code to the
// address at index i, and returns its id and preview.
func mgVerified(t *testing.T, w *mgWorld, accountID, otherEmail string, i int) (string, merge.Preview) {
	t.Helper()
	ctx := context.Background()
	f, err := w.svc.Start(ctx, w.as(accountID), otherEmail)
	if err != nil {
		t.Fatalf("Start(%s, %s): %v", accountID, otherEmail, err)
	}
	before := len(w.outbox.Messages())
	if err := w.svc.SendCode(ctx, w.as(accountID), f.ID, i); err != nil {
		t.Fatalf("SendCode: %v", err)
	}
	msgs := w.outbox.Messages()
	if len(msgs) != before+1 {
		t.Fatalf("SendCode sent %d messages, want 1", len(msgs)-before)
	}
	pv, err := w.svc.Verify(ctx, w.as(accountID), f.ID, mgCode(t, w, msgs[len(msgs)-1].To))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	w.clock.Advance(61 * time.Second) // past the send throttle of the address
	return f.ID, pv
}

func testMergeEndToEnd(t *testing.T, st MergeStore) {
	ctx := context.Background()
	w := newMergeWorld(t, st, nil)
	ada, old := mgAdaAndOld(t, st)
	before := mgSnap(t, st, "prf_ada", "prf_old")

	f, err := w.svc.Start(ctx, w.as(ada[0].ID), " OLD2@example.org ")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if diff := cmp.Diff([]string{"o***@example.org", merge.RecoveryLabel}, f.Addresses); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	if err := w.svc.SendCode(ctx, w.as(ada[0].ID), f.ID, merge.ChoiceRecovery); err != nil {
		t.Fatalf("SendCode: %v", err)
	}
	code := mgCode(t, w, "ada.private@example.net")
	pv, err := w.svc.Verify(ctx, w.as(ada[0].ID), f.ID, code)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := merge.Resolve(before.side("prf_ada"), before.side("prf_old")).Preview
	if diff := cmp.Diff(want, pv); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	if pv.Combined.Points != 150 || pv.Combined.WatchedApps != 3 || len(pv.Conflicts()) != 1 {
		t.Errorf("preview = %+v, want 150 points, 3 watched apps, the name as the one conflict", pv)
	}
	sent := len(w.outbox.Messages())
	merged, err := w.svc.Commit(ctx, w.as(ada[0].ID), f.ID)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	mgCheckMerged(t, w, before, merged, ada, old)
	var to []string
	for _, m := range w.outbox.Messages()[sent:] {
		to = append(to, m.To)
		if m.Subject != "Your profiles were merged" {
			t.Errorf("notice subject = %q", m.Subject)
		}
	}
	if diff := cmp.Diff([]string{"ada@example.com", "old1@example.org", "old2@example.org"}, to); diff != "" {
		t.Errorf("merge notices went to (-want +got):\n%s", diff)
	}
	r, err := st.MergeFlow(ctx, f.ID)
	if err != nil || r.State != merge.StateDone || len(r.Candidates) != 0 {
		t.Errorf("flow after commit = %+v, %v; want done without addresses", r, err)
	}
	// A commit sent again (its answer lost) returns the merged profile
	// and sends nothing more.
	mailed := len(w.outbox.Messages())
	again, err := w.svc.Commit(ctx, w.as(ada[0].ID), f.ID)
	if err != nil || again.ID != merged.ID {
		t.Errorf("second Commit = %s, %v; want the merged profile %s", again.ID, err, merged.ID)
	}
	if n := len(w.outbox.Messages()); n != mailed {
		t.Errorf("second Commit sent %d more messages, want none", n-mailed)
	}
}

// mgCheckMerged checks the state after prf_old was merged into prf_ada.
func mgCheckMerged(t *testing.T, w *mgWorld, before mgSnapshot, merged profile.Profile, ada, old []account.Account) {
	t.Helper()
	ctx := context.Background()
	st := w.base
	res := merge.Resolve(before.side("prf_ada"), before.side("prf_old"))
	wantProfile := res.Profile
	wantProfile.UpdatedAt = w.clock.Now().UTC().Truncate(time.Microsecond)
	if diff := cmp.Diff(wantProfile, merged, pfEmpty); diff != "" {
		t.Errorf("Commit's profile (-want +got):\n%s", diff)
	}
	after := mgSnap(t, st, "prf_ada", "prf_old")
	if after.Profiles["prf_old"] != nil {
		t.Errorf("the other profile still exists")
	}
	if diff := cmp.Diff(&wantProfile, after.Profiles["prf_ada"], pfEmpty); diff != "" {
		t.Errorf("stored profile (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before.Avatars["prf_old"], after.Avatars["prf_ada"]); diff != "" {
		t.Errorf("avatar bytes (-want the other's +got):\n%s", diff)
	}
	if diff := cmp.Diff(res.Progress, after.Progress["prf_ada"], pfEmpty); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	var wantAccts []account.Account
	for _, a := range slices.Concat(ada, old) {
		a.ProfileID = "prf_ada"
		wantAccts = append(wantAccts, a)
	}
	if diff := cmp.Diff(wantAccts, after.Accounts["prf_ada"], pfEmpty); diff != "" {
		t.Errorf("accounts (status and credits unchanged) (-want +got):\n%s", diff)
	}
	apps := map[string]string{}
	for _, a := range after.Watched["prf_ada"] {
		apps[a.AppID] = a.AppName
	}
	if len(apps) != 3 || apps["app-old"] == "" || apps["app-ada"] == "" || apps["app-shared"] == "" {
		t.Errorf("watched apps = %v, want the union of 3", apps)
	}
	if s := after.Settings["prf_ada"]; s == nil || !s.DailyDigest || s.ThreadUpdates {
		t.Errorf("settings = %+v, want the signed-in profile's", s)
	}
	if after.Settings["prf_old"] != nil || len(after.Watched["prf_old"]) != 0 || len(after.History["prf_old"]) != 0 {
		t.Errorf("the other profile's settings, watched apps or history remain")
	}
	hist := after.History["prf_ada"]
	if len(hist) != 7 {
		t.Fatalf("history has %d entries, want 3 + 3 moved + the merge entry", len(hist))
	}
	var rec *history.Entry
	for i := range hist {
		if hist[i].Item == "merge" {
			rec = &hist[i]
		}
	}
	wantDetail := "profile prf_old merged into profile prf_ada; started by account " + ada[0].ID
	if rec == nil || rec.AccountID != ada[0].ID || rec.Detail != wantDetail || rec.Action != history.ActionAdded {
		t.Errorf("merge entry = %+v, want detail %q by the starting account", rec, wantDetail)
	}
	if _, err := st.Profile(ctx, "prf_old"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Profile(other) = %v, want ErrNotFound", err)
	}
}
