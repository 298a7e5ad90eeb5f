package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// SecurityLogStore is what TestSecurityLogStore needs: events belong to
// profiles (SQL adapters enforce the foreign key).
type SecurityLogStore interface {
	storage.Transactor
	Fixture
	securitylog.Store
}

// TestSecurityLogStore checks an adapter's securitylog.Store: appending,
// pages newest first with ties broken by id, keyset paging with a
// Position across pages, EachSecurityEvent oldest first (across the
// adapter's own pages) and its early stop, moving events to another
// profile, deleting a profile's events, DeleteSecurityEventsBefore in
// batches, conflicts on a taken id (the whole batch is refused) and
// transaction rollback.
func TestSecurityLogStore(t *testing.T, newStore func(t *testing.T) SecurityLogStore) {
	t.Run("AppendPage", func(t *testing.T) { testSecurityPage(t, newStore(t)) })
	t.Run("Paging", func(t *testing.T) { testSecurityPaging(t, newStore(t)) })
	t.Run("EachSecurityEvent", func(t *testing.T) { testSecurityEach(t, newStore(t)) })
	t.Run("MoveSecurityEvents", func(t *testing.T) { testSecurityMove(t, newStore(t)) })
	t.Run("DeleteSecurityEventsOfProfile", func(t *testing.T) { testSecurityDelete(t, newStore(t)) })
	t.Run("DeleteSecurityEventsBefore", func(t *testing.T) { testSecurityRetention(t, newStore(t)) })
	t.Run("ErrConflict", func(t *testing.T) { testSecurityConflict(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testSecurityRollback(t, newStore(t)) })
}

// slEvent returns an event of the profile, minutes after pfNow.
func slEvent(id, profileID string, minutes int) securitylog.Event {
	return securitylog.Event{
		ID: id, ProfileID: profileID, AccountID: "acc_1", Kind: securitylog.SignedIn,
		At: pfNow.Add(time.Duration(minutes) * time.Minute), IP: "192.0.2.7", Device: "Firefox on Linux",
		Detail: "detail " + id, SessionID: "ses_of_" + id,
	}
}

// slSample appends five events to prf_a (two share a time, so the id
// breaks the tie) and one to prf_b, and returns prf_a's events oldest
// first.
func slSample(t *testing.T, st SecurityLogStore) []securitylog.Event {
	t.Helper()
	slProfiles(t, st, "prf_a", "prf_b")
	a := []securitylog.Event{
		slEvent("sev_1", "prf_a", 0),
		slEvent("sev_2", "prf_a", 1),
		slEvent("sev_3", "prf_a", 2),
		slEvent("sev_4", "prf_a", 2),
		slEvent("sev_5", "prf_a", 3),
	}
	a[0].AccountID, a[0].IP, a[0].Device, a[0].Detail, a[0].SessionID = "", "", "", "", ""
	a[1].Kind, a[1].Admin, a[1].Detail = securitylog.Admin, "support@example.test", "deactivated"
	ctx := context.Background()
	// Appended out of order, in two calls.
	if err := st.AppendSecurityEvents(ctx, a[4], a[1], a[3]); err != nil {
		t.Fatalf("AppendSecurityEvents: %v", err)
	}
	if err := st.AppendSecurityEvents(ctx, a[0], slEvent("sev_b1", "prf_b", 1), a[2]); err != nil {
		t.Fatalf("AppendSecurityEvents: %v", err)
	}
	return a
}

func slPage(t *testing.T, st SecurityLogStore, profileID string, after securitylog.Position, limit int) []securitylog.Event {
	t.Helper()
	got, err := st.SecurityEvents(context.Background(), profileID, after, limit)
	if err != nil {
		t.Fatalf("SecurityEvents(%s, %v, %d): %v", profileID, after, limit, err)
	}
	return got
}

func slAll(t *testing.T, st SecurityLogStore, profileID string) []securitylog.Event {
	t.Helper()
	var got []securitylog.Event
	err := st.EachSecurityEvent(context.Background(), profileID, func(e securitylog.Event) error {
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatalf("EachSecurityEvent(%s): %v", profileID, err)
	}
	return got
}

func slReverse(list []securitylog.Event) []securitylog.Event {
	out := make([]securitylog.Event, len(list))
	for i, e := range list {
		out[len(list)-1-i] = e
	}
	return out
}

func slAt(e securitylog.Event) securitylog.Position { return securitylog.Position{At: e.At, ID: e.ID} }

func testSecurityPage(t *testing.T, st SecurityLogStore) {
	a := slSample(t, st)
	newest := slReverse(a) // sev_5, sev_4, sev_3, sev_2, sev_1
	var start securitylog.Position
	pfDiff(t, "all, newest first", slPage(t, st, "prf_a", start, 100), newest)
	pfDiff(t, "first page", slPage(t, st, "prf_a", start, 2), newest[:2])
	pfDiff(t, "after sev_4 (a tie at the same time)", slPage(t, st, "prf_a", slAt(newest[1]), 2), newest[2:4])
	pfDiff(t, "after sev_2", slPage(t, st, "prf_a", slAt(newest[3]), 2), newest[4:])
	pfDiff(t, "after the oldest", slPage(t, st, "prf_a", slAt(newest[4]), 2), []securitylog.Event(nil))
	pfDiff(t, "limit 0", slPage(t, st, "prf_a", start, 0), []securitylog.Event(nil))
	pfDiff(t, "other profile", slPage(t, st, "prf_b", start, 10), []securitylog.Event{slEvent("sev_b1", "prf_b", 1)})
	pfDiff(t, "unknown profile", slPage(t, st, "prf_none", start, 10), []securitylog.Event(nil))
	// A position between stored events (an event since deleted).
	between := securitylog.Position{At: newest[1].At, ID: "sev_3z"}
	pfDiff(t, "after a deleted event", slPage(t, st, "prf_a", between, 10), newest[2:])
}

// testSecurityPaging walks 23 events, many sharing a time, in pages of
// five: every event once, in order.
func testSecurityPaging(t *testing.T, st SecurityLogStore) {
	slProfiles(t, st, "prf_a")
	var want []securitylog.Event
	for i := range 23 {
		want = append(want, slEvent(fmt.Sprintf("sev_%02d", i), "prf_a", i/4))
	}
	if err := st.AppendSecurityEvents(context.Background(), want...); err != nil {
		t.Fatalf("AppendSecurityEvents: %v", err)
	}
	var got []securitylog.Event
	var pos securitylog.Position
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatalf("paging does not end: %d events after %d pages", len(got), pages)
		}
		page := slPage(t, st, "prf_a", pos, 5)
		got = append(got, page...)
		if len(page) < 5 {
			break
		}
		pos = slAt(page[len(page)-1])
	}
	pfDiff(t, "every page, newest first", got, slReverse(want))
}

func testSecurityEach(t *testing.T, st SecurityLogStore) {
	a := slSample(t, st)
	ctx := context.Background()
	pfDiff(t, "EachSecurityEvent, oldest first", slAll(t, st, "prf_a"), a)

	stop := errors.New("storagetest: stop")
	calls := 0
	err := st.EachSecurityEvent(ctx, "prf_a", func(securitylog.Event) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	wantErr(t, "EachSecurityEvent stopped", err, stop)
	if calls != 2 {
		t.Errorf("EachSecurityEvent after fn failed: got %d calls, want 2", calls)
	}
	if got := slAll(t, st, "prf_none"); len(got) != 0 {
		t.Errorf("EachSecurityEvent of an unknown profile: got %d events, want 0", len(got))
	}

	// More events than an adapter reads in one query.
	slProfiles(t, st, "prf_many")
	var many []securitylog.Event
	for i := range 600 {
		many = append(many, slEvent(fmt.Sprintf("sev_m%03d", i), "prf_many", i/3))
	}
	if err := st.AppendSecurityEvents(ctx, many...); err != nil {
		t.Fatalf("AppendSecurityEvents: %v", err)
	}
	pfDiff(t, "600 events, oldest first", slAll(t, st, "prf_many"), many)
}

func testSecurityMove(t *testing.T, st SecurityLogStore) {
	a := slSample(t, st)
	ctx := context.Background()
	if err := st.MoveSecurityEvents(ctx, "prf_b", "prf_a"); err != nil {
		t.Fatalf("MoveSecurityEvents: %v", err)
	}
	moved := slEvent("sev_b1", "prf_a", 1)
	want := []securitylog.Event{a[0], a[1], moved, a[2], a[3], a[4]}
	pfDiff(t, "survivor after the move", slAll(t, st, "prf_a"), want)
	pfDiff(t, "page after the move", slPage(t, st, "prf_a", securitylog.Position{}, 10), slReverse(want))
	if got := slAll(t, st, "prf_b"); len(got) != 0 {
		t.Errorf("moved-from profile still has %d events", len(got))
	}
	if err := st.MoveSecurityEvents(ctx, "prf_a", "prf_a"); err != nil {
		t.Fatalf("MoveSecurityEvents onto itself: %v", err)
	}
	pfDiff(t, "after a move onto itself", slAll(t, st, "prf_a"), want)
	if err := st.MoveSecurityEvents(ctx, "prf_none", "prf_a"); err != nil {
		t.Fatalf("MoveSecurityEvents from an empty profile: %v", err)
	}
	pfDiff(t, "after a move of nothing", slAll(t, st, "prf_a"), want)
}

func testSecurityDelete(t *testing.T, st SecurityLogStore) {
	slSample(t, st)
	ctx := context.Background()
	if err := st.DeleteSecurityEventsOfProfile(ctx, "prf_a"); err != nil {
		t.Fatalf("DeleteSecurityEventsOfProfile: %v", err)
	}
	if got := slAll(t, st, "prf_a"); len(got) != 0 {
		t.Errorf("deleted profile still has %d events", len(got))
	}
	pfDiff(t, "other profile", slAll(t, st, "prf_b"), []securitylog.Event{slEvent("sev_b1", "prf_b", 1)})
	if err := st.DeleteSecurityEventsOfProfile(ctx, "prf_a"); err != nil {
		t.Errorf("DeleteSecurityEventsOfProfile again: %v", err)
	}
	// The ids of deleted events may be used again.
	if err := st.AppendSecurityEvents(ctx, slEvent("sev_1", "prf_a", 9)); err != nil {
		t.Errorf("AppendSecurityEvents with a deleted id: %v", err)
	}
}

// testSecurityRetention deletes the events older than a cut-off in
// batches: never more than the limit per call, never a newer event.
func testSecurityRetention(t *testing.T, st SecurityLogStore) {
	slProfiles(t, st, "prf_a", "prf_b")
	ctx := context.Background()
	var old, kept []securitylog.Event
	for i := range 5 {
		p := []string{"prf_a", "prf_b"}[i%2]
		old = append(old, slEvent(fmt.Sprintf("sev_o%d", i), p, i))
	}
	cut := pfNow.Add(10 * time.Minute)
	kept = append(kept, slEvent("sev_k1", "prf_a", 10), slEvent("sev_k2", "prf_b", 20)) // at the cut-off, and after
	if err := st.AppendSecurityEvents(ctx, append(old, kept...)...); err != nil {
		t.Fatalf("AppendSecurityEvents: %v", err)
	}
	for i, want := range []int{3, 2, 0} {
		n, err := st.DeleteSecurityEventsBefore(ctx, cut, 3)
		if err != nil || n != want {
			t.Fatalf("DeleteSecurityEventsBefore, call %d = %d, %v; want %d, nil", i+1, n, err, want)
		}
	}
	pfDiff(t, "prf_a after retention", slAll(t, st, "prf_a"), kept[:1])
	pfDiff(t, "prf_b after retention", slAll(t, st, "prf_b"), kept[1:])
	if n, err := st.DeleteSecurityEventsBefore(ctx, pfNow.Add(time.Hour), 0); err != nil || n != 0 {
		t.Errorf("DeleteSecurityEventsBefore with limit 0 = %d, %v; want 0, nil", n, err)
	}
	if got := slAll(t, st, "prf_a"); len(got) != 1 {
		t.Errorf("limit 0 deleted events: %d left, want 1", len(got))
	}
}

func testSecurityConflict(t *testing.T, st SecurityLogStore) {
	a := slSample(t, st)
	ctx := context.Background()
	err := st.AppendSecurityEvents(ctx, slEvent("sev_new", "prf_a", 9), slEvent("sev_3", "prf_b", 9))
	wantErr(t, "AppendSecurityEvents with a taken id", err, storage.ErrConflict)
	pfDiff(t, "after the refused batch", slAll(t, st, "prf_a"), a)
	pfDiff(t, "other profile after the refused batch", slAll(t, st, "prf_b"), []securitylog.Event{slEvent("sev_b1", "prf_b", 1)})
	err = st.AppendSecurityEvents(ctx, slEvent("sev_twice", "prf_a", 9), slEvent("sev_twice", "prf_a", 10))
	wantErr(t, "AppendSecurityEvents with one id twice", err, storage.ErrConflict)
	pfDiff(t, "after the batch with one id twice", slAll(t, st, "prf_a"), a)
}

func testSecurityRollback(t *testing.T, st SecurityLogStore) {
	a := slSample(t, st)
	ctx := context.Background()
	fail := errors.New("storagetest: fail")
	err := st.InTx(ctx, func(ctx context.Context) error {
		if err := st.AppendSecurityEvents(ctx, slEvent("sev_tx", "prf_a", 9)); err != nil {
			return err
		}
		if err := st.MoveSecurityEvents(ctx, "prf_b", "prf_a"); err != nil {
			return err
		}
		if _, err := st.DeleteSecurityEventsBefore(ctx, pfNow.Add(time.Hour), 100); err != nil {
			return err
		}
		return fail
	})
	wantErr(t, "InTx", err, fail)
	pfDiff(t, "prf_a after the rollback", slAll(t, st, "prf_a"), a)
	pfDiff(t, "prf_b after the rollback", slAll(t, st, "prf_b"), []securitylog.Event{slEvent("sev_b1", "prf_b", 1)})
}

// slProfiles creates the profiles that events will belong to.
func slProfiles(t *testing.T, st Fixture, ids ...string) {
	t.Helper()
	for _, id := range ids {
		p := profile.Profile{ID: id, CreatedAt: pfNow, UpdatedAt: pfNow}
		if err := st.CreateProfile(context.Background(), p); err != nil {
			t.Fatalf("CreateProfile(%s): %v", id, err)
		}
	}
}
