package securitylog_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// readerEnv is a memory store with Ada (prf_ada, acc_ada) and Bob
// (prf_bob, acc_bob), each with n events a minute apart (Ada's at whole
// minutes, Bob's half a minute later).
func readerEnv(t *testing.T, n int) (*memory.Store, *securitylog.Reader) {
	t.Helper()
	ctx := context.Background()
	st := memory.New()
	for i, who := range []string{"ada", "bob"} {
		if err := st.CreateProfile(ctx, profile.Profile{ID: "prf_" + who, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		a := account.Account{ID: "acc_" + who, ProfileID: "prf_" + who, Email: who + "@example.com", Status: account.StatusActive, CreatedAt: t0}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		var events []securitylog.Event
		for j := range n {
			events = append(events, securitylog.Event{
				ID: fmt.Sprintf("sev_%s%03d", who, j), ProfileID: "prf_" + who, AccountID: "acc_" + who,
				Kind: securitylog.SignedIn, At: t0.Add(time.Duration(j)*time.Minute + time.Duration(i)*30*time.Second),
				IP: "192.0.2.1", Device: "Firefox on Linux",
			})
		}
		if err := st.AppendSecurityEvents(ctx, events...); err != nil {
			t.Fatal(err)
		}
	}
	return st, securitylog.NewReader(st, account.NewOwners(st))
}

func person(accountID string) auth.Caller {
	return auth.New(accountID, auth.MethodPassword, t0, "")
}

func TestReaderPages(t *testing.T) {
	_, r := readerEnv(t, 7)
	ctx := context.Background()
	var got []string
	var sizes []int
	cursor := ""
	for range 5 {
		p, err := r.Page(ctx, person("acc_ada"), cursor, 3)
		if err != nil {
			t.Fatalf("Page(%q): %v", cursor, err)
		}
		sizes = append(sizes, len(p.Events))
		for _, e := range p.Events {
			got = append(got, e.ID)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	want := []string{"sev_ada006", "sev_ada005", "sev_ada004", "sev_ada003", "sev_ada002", "sev_ada001", "sev_ada000"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events over every page = %v, want %v", got, want)
	}
	if fmt.Sprint(sizes) != "[3 3 1]" {
		t.Errorf("page sizes = %v, want [3 3 1]", sizes)
	}
}

func TestReaderExactPageHasNoNext(t *testing.T) {
	_, r := readerEnv(t, 3)
	p, err := r.Page(context.Background(), person("acc_ada"), "", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) != 3 || p.Next != "" {
		t.Errorf("a page holding the oldest event: %d events, next %q; want 3 and no next", len(p.Events), p.Next)
	}
}

func TestReaderOwnLogOnly(t *testing.T) {
	_, r := readerEnv(t, 4)
	ctx := context.Background()
	p, err := r.Page(ctx, person("acc_bob"), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Events {
		if e.ProfileID != "prf_bob" {
			t.Errorf("Bob sees event %s of %s", e.ID, e.ProfileID)
		}
	}
	if len(p.Events) != 4 {
		t.Errorf("Bob sees %d events, want his 4", len(p.Events))
	}
	// Ada's cursor in Bob's hands still pages Bob's log.
	ada, err := r.Page(ctx, person("acc_ada"), "", 1)
	if err != nil {
		t.Fatal(err)
	}
	p, err = r.Page(ctx, person("acc_bob"), ada.Next, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Events {
		if e.ProfileID != "prf_bob" {
			t.Errorf("Bob with Ada's cursor sees event %s of %s", e.ID, e.ProfileID)
		}
	}
}

func TestReaderRefuses(t *testing.T) {
	st, r := readerEnv(t, 1)
	ctx := context.Background()
	tokenCaller := auth.New("acc_ada", auth.MethodToken, t0, "")
	if _, err := r.Page(ctx, tokenCaller, "", 10); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("Page with a token caller = %v, want auth.ErrForbidden", err)
	}
	if _, err := r.Page(ctx, person("acc_nobody"), "", 10); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("Page of an unknown account = %v, want auth.ErrForbidden", err)
	}
	a, _ := st.Account(ctx, "acc_ada")
	a.Status = account.StatusDeactivated
	if err := st.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Page(ctx, person("acc_ada"), "", 10); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("Page of a deactivated account = %v, want auth.ErrForbidden", err)
	}
}

func TestReaderInvalidCursor(t *testing.T) {
	_, r := readerEnv(t, 1)
	for _, c := range []string{"x", "!!!", "bm90IGEgY3Vyc29y", "MTIzLjQ1Ng", "MTIzLmFiYy5zZXY", "LTEuMC5zZXZfMQ", "MS4xMDAwMDAwMDAwLnNldl8x"} {
		if _, err := r.Page(context.Background(), person("acc_ada"), c, 10); !errors.Is(err, securitylog.ErrInvalidCursor) {
			t.Errorf("Page(cursor %q) = %v, want ErrInvalidCursor", c, err)
		}
	}
}

func TestReaderLimits(t *testing.T) {
	_, r := readerEnv(t, 210)
	ctx := context.Background()
	for _, tc := range []struct{ ask, want int }{{0, securitylog.DefaultPageSize}, {-5, securitylog.DefaultPageSize}, {7, 7}, {1000, securitylog.MaxPageSize}} {
		p, err := r.Page(ctx, person("acc_ada"), "", tc.ask)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != tc.want || p.Next == "" {
			t.Errorf("Page(limit %d): %d events, next %q; want %d and a next page", tc.ask, len(p.Events), p.Next, tc.want)
		}
	}
}

func TestRecordHookAfterCommit(t *testing.T) {
	st, _ := readerEnv(t, 0)
	ctx := context.Background()
	var seen []securitylog.Event
	log := securitylog.New(st, nil, func() time.Time { return t0 }, func(_ context.Context, e securitylog.Event) { seen = append(seen, e) })
	fail := errors.New("fail")
	err := st.InTx(ctx, func(ctx context.Context) error {
		if err := log.Record(ctx, securitylog.Event{ProfileID: "prf_ada", Kind: securitylog.SignedIn}); err != nil {
			return err
		}
		if len(seen) != 0 {
			t.Error("the hook saw an event before the commit")
		}
		return fail
	})
	if !errors.Is(err, fail) || len(seen) != 0 {
		t.Fatalf("rolled back: err %v, hook saw %d events; want fail and none", err, len(seen))
	}
	err = st.InTx(ctx, func(ctx context.Context) error {
		return log.Record(ctx, securitylog.Event{ProfileID: "prf_ada", Kind: securitylog.PasswordChanged})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Kind != securitylog.PasswordChanged || seen[0].ID == "" || !seen[0].At.Equal(t0) {
		t.Errorf("after the commit the hook saw %+v, want one password_changed event with an id at t0", seen)
	}
}
