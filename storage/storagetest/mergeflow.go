package storagetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// The merge flow's refusals: expiry, the attempt cap, steps out of order,
// takeover attempts, an address of nobody and a profile that changed.

func testMergeExpiry(t *testing.T, st MergeStore) {
	ctx := context.Background()
	w := newMergeWorld(t, st, nil)
	ada, _ := mgAdaAndOld(t, st)
	f, err := w.svc.Start(ctx, w.as(ada[0].ID), "old1@example.org")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	w.clock.Advance(merge.DefaultFlowTTL)
	wantErr(t, "SendCode at the TTL", w.svc.SendCode(ctx, w.as(ada[0].ID), f.ID, 0), merge.ErrFlowExpired)

	id, _ := mgVerified(t, w, ada[0].ID, "old1@example.org", 0)
	before := mgSnap(t, st, "prf_ada", "prf_old")
	w.clock.Advance(merge.DefaultFlowTTL - time.Minute)
	_, err = w.svc.Commit(ctx, w.as(ada[0].ID), id)
	wantErr(t, "Commit after the TTL", err, merge.ErrFlowExpired)
	if diff := cmp.Diff(before, mgSnap(t, st, "prf_ada", "prf_old"), pfEmpty); diff != "" {
		t.Errorf("an expired commit changed data (-before +after):\n%s", diff)
	}
	n, err := w.svc.DeleteExpired(ctx)
	if err != nil || n != 2 {
		t.Errorf("DeleteExpired = %d, %v; want both flows", n, err)
	}
	_, err = w.svc.Preview(ctx, w.as(ada[0].ID), id)
	wantErr(t, "Preview of a deleted flow", err, merge.ErrFlowNotFound)
}

func testMergeAttemptCap(t *testing.T, st MergeStore) {
	ctx := context.Background()
	w := newMergeWorld(t, st, nil)
	ada, _ := mgAdaAndOld(t, st)
	f, err := w.svc.Start(ctx, w.as(ada[0].ID), "old1@example.org")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := w.svc.SendCode(ctx, w.as(ada[0].ID), f.ID, 0); err != nil {
		t.Fatalf("SendCode: %v", err)
	}
	code := mgCode(t, w, "old1@example.org")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := range verification.DefaultMaxAttempts {
		_, err := w.svc.Verify(ctx, w.as(ada[0].ID), f.ID, wrong)
		wantErr(t, "wrong code "+string(rune('1'+i)), err, errs.ErrInvalidCode)
	}
	_, err = w.svc.Verify(ctx, w.as(ada[0].ID), f.ID, code)
	wantErr(t, "right code after the cap", err, errs.ErrInvalidCode)
	w.clock.Advance(61 * time.Second)
	if err := w.svc.SendCode(ctx, w.as(ada[0].ID), f.ID, merge.ChoiceRecovery); err != nil {
		t.Fatalf("SendCode again: %v", err)
	}
	if _, err := w.svc.Verify(ctx, w.as(ada[0].ID), f.ID, mgCode(t, w, "ada.private@example.net")); err != nil {
		t.Errorf("Verify with a new code: %v", err)
	}
}

func testMergeStates(t *testing.T, st MergeStore) {
	ctx := context.Background()
	w := newMergeWorld(t, st, nil)
	ada, old := mgAdaAndOld(t, st)
	me := ada[0].ID
	_, err := w.svc.Start(ctx, w.as(me), "ada@example.com")
	wantErr(t, "Start with an own address", err, merge.ErrSameProfile)
	_, err = w.svc.Start(ctx, w.as(me), "not an address")
	wantErr(t, "Start with a malformed address", err, merge.ErrInvalidEmail)
	_, err = w.svc.Start(ctx, w.as("acc_nobody"), "old1@example.org")
	wantErr(t, "Start by an unknown account", err, merge.ErrInactive)

	f, err := w.svc.Start(ctx, w.as(me), "old1@example.org")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	_, err = w.svc.Verify(ctx, w.as(me), f.ID, "123456")
	wantErr(t, "Verify before SendCode", err, merge.ErrFlowInvalid)
	_, err = w.svc.Commit(ctx, w.as(me), f.ID)
	wantErr(t, "Commit before Verify", err, merge.ErrFlowInvalid)
	wantErr(t, "SendCode to index 3", w.svc.SendCode(ctx, w.as(me), f.ID, 3), merge.ErrInvalidChoice)
	wantErr(t, "SendCode to index -1", w.svc.SendCode(ctx, w.as(me), f.ID, -1), merge.ErrInvalidChoice)
	if err := w.svc.Cancel(ctx, w.as(me), f.ID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	wantErr(t, "SendCode after Cancel", w.svc.SendCode(ctx, w.as(me), f.ID, 0), merge.ErrFlowInvalid)
	if r, _ := st.MergeFlow(ctx, f.ID); r.State != merge.StateCancelled || len(r.Candidates) != 0 {
		t.Errorf("cancelled flow = %+v, want cancelled without addresses", r)
	}

	id, _ := mgVerified(t, w, me, "old1@example.org", 0)
	wantErr(t, "SendCode after Verify", w.svc.SendCode(ctx, w.as(me), id, 0), merge.ErrFlowInvalid)
	deactivated := ada[0]
	deactivated.Status = account.StatusDeactivated
	if err := st.UpdateAccount(ctx, deactivated); err != nil {
		t.Fatalf("UpdateAccount: %v", err)
	}
	_, err = w.svc.Commit(ctx, w.as(me), id)
	wantErr(t, "Commit by a deactivated account", err, merge.ErrInactive)
	_, err = w.svc.Start(ctx, w.as(old[0].ID), "ada@example.com")
	if err != nil {
		t.Errorf("Start towards a profile whose account is deactivated: %v", err)
	}
}

func testMergeTakeover(t *testing.T, st MergeStore) {
	ctx := context.Background()
	w := newMergeWorld(t, st, nil)
	ada, old := mgAdaAndOld(t, st)
	mal := mgPerson(t, st, profile.Profile{ID: "prf_mal", Name: "Mallory"}, "mal@example.com")
	me, them := ada[0].ID, mal[0].ID

	fa, err := w.svc.Start(ctx, w.as(me), "old1@example.org")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	wantErr(t, "someone else's SendCode", w.svc.SendCode(ctx, w.as(them), fa.ID, 0), merge.ErrFlowNotFound)
	if err := w.svc.SendCode(ctx, w.as(me), fa.ID, 0); err != nil {
		t.Fatalf("SendCode: %v", err)
	}
	codeA := mgCode(t, w, "old1@example.org")
	_, err = w.svc.Verify(ctx, w.as(them), fa.ID, codeA)
	wantErr(t, "someone else's Verify with the right code", err, merge.ErrFlowNotFound)

	// Mallory's own flow towards the same profile: Ada's code does not
	// complete it, and its code goes only to the other profile.
	w.clock.Advance(61 * time.Second)
	fm, err := w.svc.Start(ctx, w.as(them), "old2@example.org")
	if err != nil {
		t.Fatalf("Start by Mallory: %v", err)
	}
	if err := w.svc.SendCode(ctx, w.as(them), fm.ID, 0); err != nil {
		t.Fatalf("SendCode by Mallory: %v", err)
	}
	_, err = w.svc.Verify(ctx, w.as(them), fm.ID, codeA)
	wantErr(t, "code of flow A on flow B", err, errs.ErrInvalidCode)
	codeM := mgCode(t, w, "old1@example.org")
	if codeM != codeA {
		_, err = w.svc.Verify(ctx, w.as(me), fa.ID, codeM)
		wantErr(t, "code of flow B on flow A", err, errs.ErrInvalidCode)
	}
	for _, m := range w.outbox.Messages() {
		if !slices.Contains([]string{old[0].Email, old[1].Email, "ada.private@example.net"}, m.To) {
			t.Errorf("a message went to %s, not an address of the other profile", m.To)
		}
	}
	_, err = w.svc.Commit(ctx, w.as(them), fa.ID)
	wantErr(t, "someone else's Commit", err, merge.ErrFlowNotFound)
	wantErr(t, "someone else's Cancel", w.svc.Cancel(ctx, w.as(them), fa.ID), merge.ErrFlowNotFound)
	if _, err := w.svc.Verify(ctx, w.as(me), fa.ID, codeA); err != nil {
		t.Errorf("the owner's Verify after the attempts: %v", err)
	}
	_, err = w.svc.Preview(ctx, w.as(them), fa.ID)
	wantErr(t, "someone else's Preview", err, merge.ErrFlowNotFound)
}

func testMergeUnknownAddress(t *testing.T, st MergeStore) {
	ctx := context.Background()
	w := newMergeWorld(t, st, nil)
	ada, _ := mgAdaAndOld(t, st)
	mgPerson(t, st, profile.Profile{ID: "prf_solo"}, "solo@example.com")
	me := ada[0].ID
	known, err := w.svc.Start(ctx, w.as(me), "solo@example.com")
	if err != nil {
		t.Fatalf("Start(known): %v", err)
	}
	f, err := w.svc.Start(ctx, w.as(me), "Nobody@Example.com")
	if err != nil {
		t.Fatalf("Start(unknown): %v", err)
	}
	if diff := cmp.Diff([]string{"n***@example.com", merge.RecoveryLabel}, f.Addresses); diff != "" || len(known.Addresses) != len(f.Addresses) {
		t.Errorf("unknown address: addresses %v, known %v (-want +got):\n%s", f.Addresses, known.Addresses, diff)
	}
	wantErr(t, "SendCode(2)", w.svc.SendCode(ctx, w.as(me), f.ID, 2), merge.ErrInvalidChoice)
	for _, choice := range []int{merge.ChoiceTyped, merge.ChoiceRecovery} {
		if err := w.svc.SendCode(ctx, w.as(me), f.ID, choice); err != nil {
			t.Fatalf("SendCode(%d): %v", choice, err)
		}
	}
	if n := len(w.outbox.Messages()); n != 0 {
		t.Fatalf("%d messages sent for an unknown address, want none", n)
	}
	for _, choice := range []int{merge.ChoiceTyped, merge.ChoiceRecovery} {
		for range verification.DefaultBurst - 1 {
			if err := w.svc.SendCode(ctx, w.as(me), f.ID, choice); err != nil {
				t.Fatalf("SendCode(%d) again within the burst: %v", choice, err)
			}
		}
		err = w.svc.SendCode(ctx, w.as(me), f.ID, choice)
		wantErr(t, "SendCode past the burst (throttled like a real address)", err, verification.ErrThrottled)
	}
	for _, code := range []string{"000000", "123456", "999999"} {
		_, err := w.svc.Verify(ctx, w.as(me), f.ID, code)
		wantErr(t, "Verify("+code+")", err, errs.ErrInvalidCode)
	}
	_, err = w.svc.Commit(ctx, w.as(me), f.ID)
	wantErr(t, "Commit", err, merge.ErrFlowInvalid)
	r, err := st.MergeFlow(ctx, f.ID)
	if err != nil || r.OtherProfileID != "" || r.State != merge.StateCodeSent {
		t.Errorf("flow = %+v, %v; want no other profile, still code_sent", r, err)
	}
}

func testMergeProfileChanged(t *testing.T, st MergeStore) {
	ctx := context.Background()
	w := newMergeWorld(t, st, nil)
	ada, _ := mgAdaAndOld(t, st)
	id, _ := mgVerified(t, w, ada[0].ID, "old1@example.org", 0)
	p, err := st.Profile(ctx, "prf_old")
	if err != nil {
		t.Fatalf("Profile: %v", err)
	}
	p.JobTitle = "Changed after the preview"
	if err := st.UpdateProfile(ctx, p); err != nil {
		t.Fatalf("UpdateProfile: %v", err)
	}
	before := mgSnap(t, st, "prf_ada", "prf_old")
	_, err = w.svc.Commit(ctx, w.as(ada[0].ID), id)
	wantErr(t, "Commit after a change", err, merge.ErrProfileChanged)
	if diff := cmp.Diff(before, mgSnap(t, st, "prf_ada", "prf_old"), pfEmpty); diff != "" {
		t.Errorf("a refused commit changed data (-before +after):\n%s", diff)
	}
}
