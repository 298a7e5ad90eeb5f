package personaldata_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

var srcNow = time.Date(2024, 5, 1, 12, 0, 0, 123456000, time.UTC)

// twoProfiles returns a memory store with prf_a (account acc_a) and
// prf_b (accounts acc_b1, acc_b2), and a verified merge flow acc_a
// started to merge prf_b into prf_a, offering both addresses of prf_b.
func twoProfiles(t *testing.T) *memory.Store {
	t.Helper()
	ctx := context.Background()
	st := memory.New()
	for _, p := range []string{"prf_a", "prf_b"} {
		if err := st.CreateProfile(ctx, profile.Profile{ID: p, Name: p, CreatedAt: srcNow, UpdatedAt: srcNow}); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []account.Account{
		{ID: "acc_a", ProfileID: "prf_a", Email: "a@example.com", Status: account.StatusActive, CreatedAt: srcNow},
		{ID: "acc_b1", ProfileID: "prf_b", Email: "b1@example.com", Status: account.StatusActive, CreatedAt: srcNow},
		{ID: "acc_b2", ProfileID: "prf_b", Email: "b2@example.com", Status: account.StatusActive, CreatedAt: srcNow.Add(time.Second)},
	} {
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	err := st.CreateMergeFlow(ctx, merge.Record{
		ID: "mrg_1", AccountID: "acc_a", ProfileID: "prf_a", OtherProfileID: "prf_b", State: merge.StateVerified,
		Candidates: []merge.Candidate{
			{Address: "b1@example.com", Masked: "b***@example.com", AccountID: "acc_b1"},
			{Address: "b2@example.com", Masked: "b***@example.com", AccountID: "acc_b2"},
		},
		Fingerprint: "fp", CreatedAt: srcNow, UpdatedAt: srcNow, ExpiresAt: srcNow.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestMergeSourceCollectsWithoutTheOtherSide(t *testing.T) {
	st := twoProfiles(t)
	src := personaldata.MergeSource(st)
	for _, tt := range []struct{ profileID, role string }{{"prf_a", "kept"}, {"prf_b", "merged_away"}} {
		var v personaldata.View
		if err := src.Collect(context.Background(), personaldata.Person{ProfileID: tt.profileID}, &v); err != nil {
			t.Fatalf("Collect(%s): %v", tt.profileID, err)
		}
		if len(v.Merges) != 1 || v.Merges[0].Role != tt.role || v.Merges[0].State != "verified" || !v.Merges[0].At.Equal(srcNow) {
			t.Fatalf("Collect(%s) = %+v, want one verified %s flow at %v", tt.profileID, v.Merges, tt.role, srcNow)
		}
		b, _ := json.Marshal(v)
		for _, leak := range []string{"@example.com", "***", "fp"} {
			if strings.Contains(string(b), leak) {
				t.Errorf("Collect(%s) shows %q: %s", tt.profileID, leak, b)
			}
		}
		if tt.role == "merged_away" && strings.Contains(string(b), "acc_a") {
			t.Errorf("the merged-away side sees the other side's account: %s", b)
		}
	}
}

func TestMergeSourceCompleted(t *testing.T) {
	st := twoProfiles(t)
	ctx := context.Background()
	r, _ := st.MergeFlow(ctx, "mrg_1")
	r.State, r.Candidates = merge.StateDone, nil
	if err := st.UpdateMergeFlow(ctx, r, merge.StateVerified); err != nil {
		t.Fatal(err)
	}
	var v personaldata.View
	if err := personaldata.MergeSource(st).Collect(ctx, personaldata.Person{ProfileID: "prf_a"}, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Merges) != 1 || v.Merges[0].State != "completed" {
		t.Errorf("a done flow = %+v, want state completed", v.Merges)
	}
}

func TestMergeSourceErases(t *testing.T) {
	for _, tt := range []struct {
		name  string
		erase func(personaldata.Source, context.Context) error
	}{
		{"starting account", func(s personaldata.Source, ctx context.Context) error { return s.EraseAccount(ctx, "acc_a") }},
		{"offered account", func(s personaldata.Source, ctx context.Context) error { return s.EraseAccount(ctx, "acc_b2") }},
		{"kept profile", func(s personaldata.Source, ctx context.Context) error { return s.EraseProfile(ctx, "prf_a") }},
		{"other profile", func(s personaldata.Source, ctx context.Context) error { return s.EraseProfile(ctx, "prf_b") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := twoProfiles(t)
			ctx := context.Background()
			if err := tt.erase(personaldata.MergeSource(st), ctx); err != nil {
				t.Fatalf("erase: %v", err)
			}
			if _, err := st.MergeFlow(ctx, "mrg_1"); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("MergeFlow after the erasure: err = %v, want ErrNotFound", err)
			}
		})
	}
}

func TestSessionSource(t *testing.T) {
	st := twoProfiles(t)
	ctx := context.Background()
	now := srcNow
	sessions := session.NewService(session.Config{Store: st, Accounts: st, Now: func() time.Time { return now }})
	var started []session.Session
	for _, acct := range []string{"acc_b1", "acc_b2", "acc_b1"} {
		ses, _, err := sessions.Start(ctx, session.Begin{AccountID: acct, Method: auth.MethodPassword,
			Client: auth.Client{IP: "192.0.2.9", UserAgent: "curl/8.0"}})
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
		started = append(started, ses)
		now = now.Add(time.Minute)
	}
	src := personaldata.SessionSource(sessions)
	p := personaldata.Person{ProfileID: "prf_b", Accounts: []account.Account{{ID: "acc_b1"}, {ID: "acc_b2"}}}
	var v personaldata.View
	if err := src.Collect(ctx, p, &v); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	var want []personaldata.SessionData
	for _, i := range []int{0, 2, 1} { // account by account, oldest first
		s := started[i]
		want = append(want, personaldata.SessionData{ID: s.ID, AccountID: s.AccountID, Method: "password", CreatedAt: s.CreatedAt,
			AuthenticatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, IP: "192.0.2.9", UserAgent: "curl/8.0", Device: "curl"})
	}
	if diff := cmp.Diff(want, v.Sessions); diff != "" {
		t.Errorf("Collect sessions (-want +got):\n%s", diff)
	}
	if v.Extra != nil {
		t.Errorf("Collect wrote View.Extra = %v; the SDK's sources keep out of it", v.Extra)
	}
	// Times are written like every other time of the view: RFC 3339 in
	// UTC with the fraction of a second kept.
	b, _ := json.Marshal(v.Sessions[0])
	if !strings.Contains(string(b), `"created_at":"2024-05-01T12:00:00.123456Z"`) {
		t.Errorf("session JSON = %s, want created_at as time.Time writes it", b)
	}
	if err := src.EraseAccount(ctx, "acc_b1"); err != nil {
		t.Fatalf("EraseAccount: %v", err)
	}
	if list, err := sessions.OfAccount(ctx, "acc_b1"); len(list) > 0 || err != nil {
		t.Errorf("OfAccount(acc_b1) after EraseAccount = %d sessions, %v", len(list), err)
	}
	if list, _ := sessions.OfAccount(ctx, "acc_b2"); len(list) != 1 {
		t.Errorf("EraseAccount(acc_b1) left acc_b2 %d sessions, want 1", len(list))
	}
	if err := src.EraseProfile(ctx, "prf_b"); err != nil {
		t.Fatalf("EraseProfile: %v", err)
	}
	for _, acct := range []string{"acc_b1", "acc_b2"} {
		if list, err := sessions.OfAccount(ctx, acct); len(list) > 0 || err != nil {
			t.Errorf("List(%s) after the erasure = %d sessions, %v", acct, len(list), err)
		}
	}
}
