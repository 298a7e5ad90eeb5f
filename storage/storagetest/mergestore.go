package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// mgRecord returns a flow of the account with two addresses, created
// minutes after pfNow.
func mgRecord(id, accountID, profileID, otherID string, minutes int) merge.Record {
	at := pfNow.Add(time.Duration(minutes) * time.Minute)
	return merge.Record{
		ID: id, AccountID: accountID, ProfileID: profileID, OtherProfileID: otherID,
		Candidates: []merge.Candidate{
			{Address: "x1@example.org", Masked: "x***@example.org", AccountID: "acc_x1@example.org"},
			{Address: "rec@example.net", Masked: "r***@example.net"},
		},
		State: merge.StateStarted, CreatedAt: at, UpdatedAt: at, ExpiresAt: at.Add(30 * time.Minute),
	}
}

func mgCreate(t *testing.T, st MergeStore, r merge.Record) {
	t.Helper()
	if err := st.CreateMergeFlow(context.Background(), r); err != nil {
		t.Fatalf("CreateMergeFlow(%s): %v", r.ID, err)
	}
}

func mgFlowIDs(t *testing.T, st MergeStore, profileID string) []string {
	t.Helper()
	list, err := st.MergeFlowsOfProfile(context.Background(), profileID)
	if err != nil {
		t.Fatalf("MergeFlowsOfProfile(%s): %v", profileID, err)
	}
	var ids []string
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	return ids
}

func testMergeFlowStore(t *testing.T, st MergeStore) {
	ctx := context.Background()
	me := mgPerson(t, st, profile.Profile{ID: "prf_me"}, "me@example.com")[0].ID
	mgPerson(t, st, profile.Profile{ID: "prf_x"}, "x1@example.org")
	r := mgRecord("mrg_1", me, "prf_me", "prf_x", 0)
	mgCreate(t, st, r)
	got, err := st.MergeFlow(ctx, "mrg_1")
	if err != nil {
		t.Fatalf("MergeFlow: %v", err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("MergeFlow (-want +got):\n%s", diff)
	}
	got.Candidates[0].Address = "changed@example.com"
	r.Candidates[1].Address = "changed@example.com"
	if again, _ := st.MergeFlow(ctx, "mrg_1"); again.Candidates[0].Address != "x1@example.org" ||
		again.Candidates[1].Address != "rec@example.net" {
		t.Errorf("stored candidates changed through a shared slice: %+v", again.Candidates)
	}
	wantErr(t, "CreateMergeFlow(same id)", st.CreateMergeFlow(ctx, mgRecord("mrg_1", me, "prf_me", "", 1)), storage.ErrConflict)
	_, err = st.MergeFlow(ctx, "mrg_nope")
	wantErr(t, "MergeFlow(unknown)", err, storage.ErrNotFound)

	up := mgRecord("mrg_1", me, "prf_me", "prf_x", 0)
	up.State, up.Fingerprint, up.Candidates, up.UpdatedAt = merge.StateCodeSent, "fp", up.Candidates[1:], pfNow.Add(time.Hour)
	wantErr(t, "UpdateMergeFlow(from the wrong state)", st.UpdateMergeFlow(ctx, up, merge.StateVerified), storage.ErrConflict)
	if err := st.UpdateMergeFlow(ctx, up, merge.StateStarted); err != nil {
		t.Fatalf("UpdateMergeFlow: %v", err)
	}
	got, _ = st.MergeFlow(ctx, "mrg_1")
	if diff := cmp.Diff(up, got); diff != "" {
		t.Errorf("after UpdateMergeFlow (-want +got):\n%s", diff)
	}
	up.ID = "mrg_nope"
	wantErr(t, "UpdateMergeFlow(unknown)", st.UpdateMergeFlow(ctx, up, merge.StateStarted), storage.ErrNotFound)

	mgCreate(t, st, mgRecord("mrg_2", me, "prf_x", "prf_me", -5))
	mgCreate(t, st, mgRecord("mrg_3", me, "prf_me", "", 5))
	if diff := cmp.Diff([]string{"mrg_2", "mrg_1", "mrg_3"}, mgFlowIDs(t, st, "prf_me")); diff != "" {
		t.Errorf("MergeFlowsOfProfile(either side, oldest first) (-want +got):\n%s", diff)
	}
	if ids := mgFlowIDs(t, st, "prf_nobody"); len(ids) != 0 {
		t.Errorf("MergeFlowsOfProfile(unknown) = %v", ids)
	}
	mgWantListed(t, st, "prf_me")
	testMergeFlowDeletes(t, st, me)
}

// testMergeFlowDeletes checks the three ways flows are deleted.
func testMergeFlowDeletes(t *testing.T, st MergeStore, me string) {
	ctx := context.Background()
	n, err := st.DeleteExpiredMergeFlows(ctx, pfNow.Add(30*time.Minute))
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredMergeFlows(at mrg_1's expiry) = %d, %v; want only mrg_2, expired before", n, err)
	}
	n, err = st.DeleteMergeFlowsOfAccount(ctx, "acc_x1@example.org")
	if err != nil || n != 1 {
		t.Errorf("DeleteMergeFlowsOfAccount(offered address) = %d, %v; want mrg_3 (mrg_1 no longer offers it)", n, err)
	}
	mgCreate(t, st, mgRecord("mrg_4", me, "prf_other", "prf_x", 0))
	n, err = st.DeleteMergeFlowsOfProfile(ctx, "prf_x")
	if err != nil || n != 2 {
		t.Errorf("DeleteMergeFlowsOfProfile(prf_x) = %d, %v; want mrg_1 and mrg_4", n, err)
	}
	mgCreate(t, st, mgRecord("mrg_5", me, "prf_me", "", 0))
	n, err = st.DeleteMergeFlowsOfAccount(ctx, me)
	if err != nil || n != 1 {
		t.Errorf("DeleteMergeFlowsOfAccount(starter) = %d, %v; want 1", n, err)
	}
	if ids := mgFlowIDs(t, st, "prf_me"); len(ids) != 0 {
		t.Errorf("flows left: %v", ids)
	}
}

func testMergeFlowRollback(t *testing.T, st MergeStore) {
	ctx := context.Background()
	me := mgPerson(t, st, profile.Profile{ID: "prf_me"}, "me@example.com")[0].ID
	mgCreate(t, st, mgRecord("mrg_1", me, "prf_me", "", 0))
	boom := errors.New("boom")
	err := st.InTx(ctx, func(ctx context.Context) error {
		if err := st.CreateMergeFlow(ctx, mgRecord("mrg_2", me, "prf_me", "", 0)); err != nil {
			return err
		}
		up := mgRecord("mrg_1", me, "prf_me", "", 0)
		up.State, up.Candidates = merge.StateDone, nil
		if err := st.UpdateMergeFlow(ctx, up, merge.StateStarted); err != nil {
			return err
		}
		if _, err := st.DeleteMergeFlowsOfAccount(ctx, me); err != nil {
			return err
		}
		return boom
	})
	wantErr(t, "InTx", err, boom)
	got, err := st.MergeFlow(ctx, "mrg_1")
	if diff := cmp.Diff(mgRecord("mrg_1", me, "prf_me", "", 0), got); err != nil || diff != "" {
		t.Errorf("after rollback: %v (-want +got):\n%s", err, diff)
	}
	_, err = st.MergeFlow(ctx, "mrg_2")
	wantErr(t, "flow created in a rolled-back transaction", err, storage.ErrNotFound)
	done := mgRecord("mrg_1", me, "prf_me", "", 0)
	done.State, done.Candidates = merge.StateDone, nil
	if err := st.UpdateMergeFlow(ctx, done, merge.StateStarted); err != nil {
		t.Fatalf("UpdateMergeFlow(done): %v", err)
	}
	mgCreate(t, st, mgRecord("mrg_3", me, "prf_me", "", 1))
	mgWantListed(t, st, "prf_me") // one flow without addresses, one with
}

// mgWantListed checks that MergeFlowsOfProfile lists each flow of the
// profile exactly as MergeFlow reads it, candidates included.
func mgWantListed(t *testing.T, st MergeStore, profileID string) {
	t.Helper()
	ctx := context.Background()
	list, err := st.MergeFlowsOfProfile(ctx, profileID)
	if err != nil || len(list) < 2 {
		t.Fatalf("MergeFlowsOfProfile(%s) = %d flows, %v; want at least 2", profileID, len(list), err)
	}
	for _, r := range list {
		one, err := st.MergeFlow(ctx, r.ID)
		if diff := cmp.Diff(one, r, pfEmpty); err != nil || diff != "" {
			t.Errorf("listed flow %s (MergeFlow: %v) (-read +listed):\n%s", r.ID, err, diff)
		}
	}
}

// testCommitProgress commits merges whose progress meets every rule of
// merge.CombineProgress, with lists long enough that an adapter writes
// them in several statements, and checks what profile.Store then holds:
// into a profile with progress, into one without, and from one without.
func testCommitProgress(t *testing.T, st MergeStore) {
	ctx := context.Background()
	w := newMergeWorld(t, st, nil)
	d := func(h int) time.Time { return pfNow.Add(time.Duration(h) * time.Hour) }
	to := profile.Progress{
		Points: 100,
		Achievements: []profile.Achievement{
			{ID: "a-earlier-there", Name: "T", AwardedAt: d(1)}, {ID: "a-tie", Name: "T", AwardedAt: d(1)},
			{ID: "a-later-there", Name: "T", AwardedAt: d(5)}, {ID: "a-only-to", Name: "T", AwardedAt: d(1)},
		},
		Certifications: []profile.Certification{
			{ID: "c-later-there", Name: "T", ValidUntil: d(9)}, {ID: "c-tie", Name: "T", ValidUntil: d(3)},
			{ID: "c-earlier-there", Name: "T", ValidUntil: d(1)},
		},
		Academy: []profile.CourseProgress{
			{CourseID: "k-done-there", Title: "T", Percent: 100, Completed: true},
			{CourseID: "k-done-here", Title: "T", Percent: 90},
			{CourseID: "k-more-here", Title: "T", Percent: 10},
			{CourseID: "k-tie", Title: "T", Percent: 50},
			{CourseID: "k-both-done", Title: "T", Percent: 100, Completed: true},
		},
	}
	from := profile.Progress{
		Points: 23,
		Achievements: []profile.Achievement{
			{ID: "a-earlier-there", Name: "F", AwardedAt: d(2)}, {ID: "a-tie", Name: "F", AwardedAt: d(1)},
			{ID: "a-later-there", Name: "F", AwardedAt: d(0)}, {ID: "a-only-from", Name: "F", AwardedAt: time.Time{}},
		},
		Certifications: []profile.Certification{
			{ID: "c-later-there", Name: "F", ValidUntil: d(2)}, {ID: "c-tie", Name: "F", ValidUntil: d(3)},
			{ID: "c-earlier-there", Name: "F", ValidUntil: d(4)}, {ID: "c-only-from", Name: "F", ValidUntil: d(4)},
		},
		Academy: []profile.CourseProgress{
			{CourseID: "k-done-there", Title: "F", Percent: 100},
			{CourseID: "k-done-here", Title: "F", Percent: 80, Completed: true},
			{CourseID: "k-more-here", Title: "F", Percent: 20},
			{CourseID: "k-tie", Title: "F", Percent: 50},
			{CourseID: "k-both-done", Title: "F", Percent: 100, Completed: true},
		},
	}
	to, from = mgMoreProgress(to, "to", 0), mgMoreProgress(from, "from", mgBulk/2)
	mgSortProgress(&to)
	mgSortProgress(&from)
	toAcct := mgPerson(t, st, profile.Profile{ID: "prf_to"}, "to@example.com")[0].ID
	mgPerson(t, st, profile.Profile{ID: "prf_from"}, "from@example.com")
	emptyAcct := mgPerson(t, st, profile.Profile{ID: "prf_empty"}, "empty@example.com")[0].ID
	mgPerson(t, st, profile.Profile{ID: "prf_none"}, "none@example.com")
	for id, pr := range map[string]profile.Progress{"prf_to": to, "prf_from": from} {
		if err := st.SaveProgress(ctx, id, pr); err != nil {
			t.Fatalf("SaveProgress(%s): %v", id, err)
		}
	}
	mgWantProgress(t, st, "prf_to", to)
	want := merge.CombineProgress(to, from)
	commit := func(acct, otherEmail string) {
		t.Helper()
		id, pv := mgVerified(t, w, acct, otherEmail, 0)
		if _, err := w.svc.Commit(ctx, w.as(acct), id); err != nil {
			t.Fatalf("Commit(%s ← %s): %v", acct, otherEmail, err)
		}
		if pv.Combined.Points != want.Points || pv.Combined.Achievements != len(want.Achievements) {
			t.Errorf("preview of %s ← %s: %+v, want %d points and %d achievements",
				acct, otherEmail, pv.Combined, want.Points, len(want.Achievements))
		}
	}
	commit(toAcct, "from@example.com")
	mgWantProgress(t, st, "prf_to", want)
	commit(emptyAcct, "to@example.com") // into a profile without progress
	mgWantProgress(t, st, "prf_empty", want)
	commit(emptyAcct, "none@example.com") // from a profile without progress
	mgWantProgress(t, st, "prf_empty", want)
	for _, id := range []string{"prf_to", "prf_from", "prf_none"} {
		if _, err := st.Progress(ctx, id); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Progress(%s) after it was merged away = %v, want ErrNotFound", id, err)
		}
	}
}

// mgBulk is how many generated items mgMoreProgress adds to each list:
// more than an adapter is likely to write in one statement.
const mgBulk = 600

// mgMoreProgress adds mgBulk generated items to each list of pr, numbered
// from first, so that two sides numbered mgBulk/2 apart share half.
func mgMoreProgress(pr profile.Progress, tag string, first int) profile.Progress {
	for i := first; i < first+mgBulk; i++ {
		at := pfNow.Add(time.Duration(i) * time.Minute)
		if tag == "from" {
			at = at.Add(-time.Duration(i%3) * time.Minute) // some earlier, some the same
		}
		n := fmt.Sprintf("%04d", i)
		pr.Achievements = append(pr.Achievements, profile.Achievement{ID: "g-" + n, Name: tag + n, AwardedAt: at})
		pr.Certifications = append(pr.Certifications, profile.Certification{ID: "g-" + n, Name: tag + n, ValidUntil: at})
		pr.Academy = append(pr.Academy, profile.CourseProgress{
			CourseID: "g-" + n, Title: tag + n, Percent: (i * 7) % 101, Completed: i%5 == 0 && tag == "from",
		})
	}
	return pr
}

// mgSortProgress orders the lists of pr by ID, as a Store returns them.
func mgSortProgress(pr *profile.Progress) {
	slices.SortFunc(pr.Achievements, func(a, b profile.Achievement) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(pr.Certifications, func(a, b profile.Certification) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(pr.Academy, func(a, b profile.CourseProgress) int { return strings.Compare(a.CourseID, b.CourseID) })
}

func mgWantProgress(t *testing.T, st MergeStore, id string, want profile.Progress) {
	t.Helper()
	got, err := st.Progress(context.Background(), id)
	if err != nil {
		t.Fatalf("Progress(%s): %v", id, err)
	}
	if diff := cmp.Diff(want, got, pfEmpty); diff != "" {
		t.Errorf("progress of %s (-want +got):\n%s", id, diff)
	}
}
