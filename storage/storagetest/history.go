package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// HistoryStore is what TestHistoryStore needs: history entries belong to
// profiles (SQL adapters enforce the foreign key).
type HistoryStore interface {
	storage.Transactor
	Fixture
	history.Store
}

// TestHistoryStore checks an adapter's history.Store: appending, paging
// newest first, EachHistory order and early stop, moving entries to
// another profile, deleting a profile's entries, conflicts on a taken id
// (the whole batch is refused) and transaction rollback.
func TestHistoryStore(t *testing.T, newStore func(t *testing.T) HistoryStore) {
	t.Run("AppendPage", func(t *testing.T) { testHistoryPage(t, newStore(t)) })
	t.Run("EachHistory", func(t *testing.T) { testHistoryEach(t, newStore(t)) })
	t.Run("MoveHistory", func(t *testing.T) { testHistoryMove(t, newStore(t)) })
	t.Run("DeleteHistoryOfProfile", func(t *testing.T) { testHistoryDelete(t, newStore(t)) })
	t.Run("ErrConflict", func(t *testing.T) { testHistoryConflict(t, newStore(t)) })
	t.Run("Rollback", func(t *testing.T) { testHistoryRollback(t, newStore(t)) })
}

// hsProfiles creates the profiles that entries will belong to.
func hsProfiles(t *testing.T, st HistoryStore, ids ...string) {
	t.Helper()
	for _, id := range ids {
		p := profile.Profile{ID: id, CreatedAt: pfNow, UpdatedAt: pfNow}
		if err := st.CreateProfile(context.Background(), p); err != nil {
			t.Fatalf("CreateProfile(%s): %v", id, err)
		}
	}
}

// hsEntry returns an entry of the profile, minutes after pfNow.
func hsEntry(id, profileID string, minutes int) history.Entry {
	return history.Entry{
		ID: id, ProfileID: profileID, AccountID: "acc_1", Item: "job_title",
		Action: history.ActionSet, Detail: "detail " + id,
		At: pfNow.Add(time.Duration(minutes) * time.Minute),
	}
}

// hsSample appends five entries to prf_a (two share a time, so the id
// breaks the tie) and one to prf_b, and returns prf_a's entries oldest
// first.
func hsSample(t *testing.T, st HistoryStore) []history.Entry {
	t.Helper()
	hsProfiles(t, st, "prf_a", "prf_b")
	a := []history.Entry{
		hsEntry("his_1", "prf_a", 0),
		hsEntry("his_2", "prf_a", 1),
		hsEntry("his_3", "prf_a", 2),
		hsEntry("his_4", "prf_a", 2),
		hsEntry("his_5", "prf_a", 3),
	}
	a[0].AccountID, a[0].Detail, a[0].Action = "", "", history.ActionCleared
	ctx := context.Background()
	// Appended out of order, in two calls.
	if err := st.AppendHistory(ctx, a[4], a[1], a[3]); err != nil {
		t.Fatalf("AppendHistory: %v", err)
	}
	if err := st.AppendHistory(ctx, a[0], hsEntry("his_b1", "prf_b", 1), a[2]); err != nil {
		t.Fatalf("AppendHistory: %v", err)
	}
	return a
}

func hsPage(t *testing.T, st HistoryStore, profileID string, offset, limit int) []history.Entry {
	t.Helper()
	got, err := st.History(context.Background(), profileID, offset, limit)
	if err != nil {
		t.Fatalf("History(%s, %d, %d): %v", profileID, offset, limit, err)
	}
	return got
}

func hsReverse(list []history.Entry) []history.Entry {
	out := make([]history.Entry, len(list))
	for i, e := range list {
		out[len(list)-1-i] = e
	}
	return out
}

func testHistoryPage(t *testing.T, st HistoryStore) {
	a := hsSample(t, st)
	newest := hsReverse(a) // his_5, his_4, his_3, his_2, his_1
	pfDiff(t, "all, newest first", hsPage(t, st, "prf_a", 0, 100), newest)
	pfDiff(t, "first page", hsPage(t, st, "prf_a", 0, 2), newest[:2])
	pfDiff(t, "second page", hsPage(t, st, "prf_a", 2, 2), newest[2:4])
	pfDiff(t, "last page", hsPage(t, st, "prf_a", 4, 2), newest[4:])
	pfDiff(t, "past the end", hsPage(t, st, "prf_a", 5, 2), []history.Entry(nil))
	pfDiff(t, "limit 0", hsPage(t, st, "prf_a", 0, 0), []history.Entry(nil))
	pfDiff(t, "other profile", hsPage(t, st, "prf_b", 0, 10), []history.Entry{hsEntry("his_b1", "prf_b", 1)})
	pfDiff(t, "unknown profile", hsPage(t, st, "prf_none", 0, 10), []history.Entry(nil))
}

func testHistoryEach(t *testing.T, st HistoryStore) {
	a := hsSample(t, st)
	ctx := context.Background()
	var got []history.Entry
	err := st.EachHistory(ctx, "prf_a", func(e history.Entry) error {
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatalf("EachHistory: %v", err)
	}
	pfDiff(t, "EachHistory, oldest first", got, a)

	stop := errors.New("storagetest: stop")
	calls := 0
	err = st.EachHistory(ctx, "prf_a", func(history.Entry) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	wantErr(t, "EachHistory stopped", err, stop)
	if calls != 2 {
		t.Errorf("EachHistory after fn failed: got %d calls, want 2", calls)
	}
	calls = 0
	err = st.EachHistory(ctx, "prf_none", func(history.Entry) error { calls++; return nil })
	if err != nil || calls != 0 {
		t.Errorf("EachHistory of an unknown profile: got %d calls, %v; want 0, nil", calls, err)
	}

	// More entries than an adapter reads in one query, three a minute.
	hsProfiles(t, st, "prf_many")
	var many []history.Entry
	for i := range 600 {
		many = append(many, hsEntry(fmt.Sprintf("his_m%03d", i), "prf_many", i/3))
	}
	if err := st.AppendHistory(ctx, many...); err != nil {
		t.Fatalf("AppendHistory: %v", err)
	}
	got = nil
	if err := st.EachHistory(ctx, "prf_many", func(e history.Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatalf("EachHistory: %v", err)
	}
	pfDiff(t, "600 entries, oldest first", got, many)
}

func testHistoryMove(t *testing.T, st HistoryStore) {
	a := hsSample(t, st)
	if err := st.MoveHistory(context.Background(), "prf_a", "prf_b"); err != nil {
		t.Fatalf("MoveHistory: %v", err)
	}
	pfDiff(t, "moved-from profile", hsPage(t, st, "prf_a", 0, 10), []history.Entry(nil))
	var want []history.Entry
	for _, e := range hsReverse(a) {
		if e.ID == "his_2" { // his_b1 is at minute 1, his_2 too; "his_b1" > "his_2"
			want = append(want, hsEntry("his_b1", "prf_b", 1))
		}
		e.ProfileID = "prf_b"
		want = append(want, e)
	}
	pfDiff(t, "moved-to profile", hsPage(t, st, "prf_b", 0, 10), want)
	if err := st.MoveHistory(context.Background(), "prf_none", "prf_b"); err != nil {
		t.Errorf("MoveHistory from a profile without entries: %v", err)
	}
}

func testHistoryDelete(t *testing.T, st HistoryStore) {
	hsSample(t, st)
	ctx := context.Background()
	if err := st.DeleteHistoryOfProfile(ctx, "prf_a"); err != nil {
		t.Fatalf("DeleteHistoryOfProfile: %v", err)
	}
	pfDiff(t, "deleted profile history", hsPage(t, st, "prf_a", 0, 10), []history.Entry(nil))
	pfDiff(t, "other profile", hsPage(t, st, "prf_b", 0, 10), []history.Entry{hsEntry("his_b1", "prf_b", 1)})
	if err := st.DeleteHistoryOfProfile(ctx, "prf_a"); err != nil {
		t.Errorf("DeleteHistoryOfProfile twice: %v", err)
	}
	// The ids of deleted entries are free again.
	if err := st.AppendHistory(ctx, hsEntry("his_1", "prf_a", 9)); err != nil {
		t.Errorf("AppendHistory with a deleted entry's id: %v", err)
	}
}

func testHistoryConflict(t *testing.T, st HistoryStore) {
	a := hsSample(t, st)
	ctx := context.Background()
	dup := hsEntry("his_3", "prf_b", 50)
	err := st.AppendHistory(ctx, hsEntry("his_new", "prf_b", 40), dup)
	wantErr(t, "AppendHistory with a taken id", err, storage.ErrConflict)
	pfDiff(t, "prf_a after the conflict", hsPage(t, st, "prf_a", 0, 10), hsReverse(a))
	pfDiff(t, "prf_b after the conflict (whole batch refused)", hsPage(t, st, "prf_b", 0, 10),
		[]history.Entry{hsEntry("his_b1", "prf_b", 1)})
}

func testHistoryRollback(t *testing.T, st HistoryStore) {
	a := hsSample(t, st)
	ctx := context.Background()
	err := st.InTx(ctx, func(ctx context.Context) error {
		if err := st.AppendHistory(ctx, hsEntry("his_tx", "prf_a", 60)); err != nil {
			return err
		}
		if err := st.MoveHistory(ctx, "prf_b", "prf_a"); err != nil {
			return err
		}
		if err := st.DeleteHistoryOfProfile(ctx, "prf_a"); err != nil {
			return err
		}
		return errPfBoom
	})
	wantErr(t, "InTx", err, errPfBoom)
	pfDiff(t, "prf_a after rollback", hsPage(t, st, "prf_a", 0, 10), hsReverse(a))
	pfDiff(t, "prf_b after rollback", hsPage(t, st, "prf_b", 0, 10), []history.Entry{hsEntry("his_b1", "prf_b", 1)})
	if err := st.AppendHistory(ctx, hsEntry("his_tx", "prf_a", 60)); err != nil {
		t.Errorf("AppendHistory with the rolled-back id: %v", err)
	}
}
