package merge_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// withRecovery gives prf_b a verified and a pending recovery email.
func (e *env) withRecovery(t *testing.T, verified, pending string) {
	t.Helper()
	p, err := e.st.Profile(e.ctx, "prf_b")
	if err != nil {
		t.Fatal(err)
	}
	p.RecoveryEmail, p.PendingRecoveryEmail = verified, pending
	if err := e.st.UpdateProfile(e.ctx, p); err != nil {
		t.Fatal(err)
	}
}

// TestStartRevealsNothing checks that Start answers the same for an
// address of a profile with a recovery email, one without, and one of
// nobody, apart from the masked address typed.
func TestStartRevealsNothing(t *testing.T) {
	for _, tt := range []struct {
		name, verified, pending string
	}{
		{"with recovery email", "rec@home.example", ""},
		{"without recovery email", "", ""},
		{"with a pending recovery email only", "", "pending@home.example"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.withRecovery(t, tt.verified, tt.pending)
			known, err := e.svc.Start(e.ctx, e.as("acc_a"), "b1@example.com")
			if err != nil {
				t.Fatal(err)
			}
			unknown, err := e.svc.Start(e.ctx, e.as("acc_a"), "bx@example.com")
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"b***@example.com", merge.RecoveryLabel}
			if d := cmp.Diff(want, known.Addresses); d != "" {
				t.Errorf("registered address (-want +got):\n%s", d)
			}
			if d := cmp.Diff(known.Addresses, unknown.Addresses); d != "" {
				t.Errorf("registered and unknown addresses differ (-registered +unknown):\n%s", d)
			}
			if len(known.ID) != len(unknown.ID) || !strings.HasPrefix(unknown.ID, "mrg_") {
				t.Errorf("flow ids %q, %q differ in shape", known.ID, unknown.ID)
			}
		})
	}
}

// TestCodeGoesOnlyToAVerifiedAddress checks where each choice sends its
// code: the address typed when registered, the verified recovery email
// when there is one, and nowhere else, with the same answers and the
// same throttle on every path.
func TestCodeGoesOnlyToAVerifiedAddress(t *testing.T) {
	e := newEnv(t, nil)
	e.withRecovery(t, "", "pending@home.example")
	f, err := e.svc.Start(e.ctx, e.as("acc_a"), "b1@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SendCode(e.ctx, e.as("acc_a"), f.ID, merge.ChoiceRecovery); err != nil {
		t.Fatalf("SendCode to a missing recovery email: %v", err)
	}
	if n := len(e.outbox.Messages()); n != 0 {
		t.Fatalf("%d messages sent for a pending recovery email: %+v", n, e.outbox.Messages())
	}
	for range verification.DefaultBurst - 1 {
		if err := e.svc.SendCode(e.ctx, e.as("acc_a"), f.ID, merge.ChoiceRecovery); err != nil {
			t.Fatalf("SendCode within the burst: %v", err)
		}
	}
	err = e.svc.SendCode(e.ctx, e.as("acc_a"), f.ID, merge.ChoiceRecovery)
	if !errors.Is(err, verification.ErrThrottled) {
		t.Errorf("send past the burst to a missing recovery email = %v, want throttled like a real one", err)
	}
	for _, code := range []string{"000000", "123456"} {
		if _, err := e.svc.Verify(e.ctx, e.as("acc_a"), f.ID, code); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("Verify(%s) of a code sent nowhere = %v, want errs.ErrInvalidCode", code, err)
		}
	}
	// The address typed is independent of the stand-in.
	if err := e.svc.SendCode(e.ctx, e.as("acc_a"), f.ID, merge.ChoiceTyped); err != nil {
		t.Fatalf("SendCode to the address typed: %v", err)
	}
	if _, ok := e.outbox.Last("b1@example.com"); !ok || len(e.outbox.Messages()) != 1 {
		t.Errorf("messages = %+v, want one to b1@example.com", e.outbox.Messages())
	}

	e2 := newEnv(t, nil)
	e2.withRecovery(t, "rec@home.example", "")
	f2, err := e2.svc.Start(e2.ctx, e2.as("acc_a"), "b2@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := e2.svc.SendCode(e2.ctx, e2.as("acc_a"), f2.ID, merge.ChoiceRecovery); err != nil {
		t.Fatal(err)
	}
	msgs := e2.outbox.Messages()
	if len(msgs) != 1 || msgs[0].To != "rec@home.example" {
		t.Errorf("messages = %+v, want one to the verified recovery email", msgs)
	}
}

// TestCallerRules checks freshness for Start and Commit, that tokens and
// API keys never merge, and the start limit.
func TestCallerRules(t *testing.T) {
	e := newEnv(t, nil)
	stale := auth.New("acc_a", auth.MethodPassword, testNow.Add(-2*time.Hour), "")
	if _, err := e.svc.Start(e.ctx, stale, "b1@example.com"); !errors.Is(err, auth.ErrReauthenticationRequired) {
		t.Errorf("stale Start = %v, want ErrReauthenticationRequired", err)
	}
	id := e.verified(t)
	if _, err := e.svc.Commit(e.ctx, stale, id); !errors.Is(err, auth.ErrReauthenticationRequired) {
		t.Errorf("stale Commit = %v, want ErrReauthenticationRequired", err)
	}
	if _, err := e.svc.Preview(e.ctx, stale, id); err != nil {
		t.Errorf("stale Preview = %v, want nil (not sensitive)", err)
	}
	for _, m := range []auth.Method{auth.MethodToken, auth.MethodAPIKey} {
		c := auth.New("acc_a", m, testNow, "")
		if _, err := e.svc.Start(e.ctx, c, "b1@example.com"); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s Start = %v, want ErrForbidden", m, err)
		}
		if _, err := e.svc.Preview(e.ctx, c, id); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s Preview = %v, want ErrForbidden", m, err)
		}
		if _, err := e.svc.Commit(e.ctx, c, id); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s Commit = %v, want ErrForbidden", m, err)
		}
		if err := e.svc.Cancel(e.ctx, c, id); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("%s Cancel = %v, want ErrForbidden", m, err)
		}
	}
	merged, err := e.svc.Commit(e.ctx, e.as("acc_a"), id)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	ev, err := e.st.SecurityEvents(e.ctx, merged.ID, securitylog.Position{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 1 || ev[0].Kind != securitylog.Merged || ev[0].AccountID != "acc_a" || !strings.Contains(ev[0].Detail, "prf_b") {
		t.Errorf("security log after Commit = %+v, want one merged event by acc_a", ev)
	}
}

func TestStartLimit(t *testing.T) {
	e := newEnv(t, nil) // StartLimit: 4 at once, one an hour
	if err := e.st.CreateProfile(e.ctx, profile.Profile{ID: "prf_c"}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.CreateAccount(e.ctx, account.Account{ID: "acc_c", ProfileID: "prf_c", Email: "c@example.com", Status: account.StatusActive}); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, err := e.svc.Start(e.ctx, e.as("acc_a"), "n"+string(rune('a'+i))+"@example.com"); err != nil {
			t.Fatalf("Start %d: %v", i+1, err)
		}
	}
	_, err := e.svc.Start(e.ctx, e.as("acc_a"), "b1@example.com")
	var le *errs.RetryError
	if !errors.Is(err, merge.ErrTooManyStarts) || !errors.As(err, &le) || le.After <= 0 {
		t.Fatalf("fifth Start = %v, want an *errs.RetryError", err)
	}
	if _, err := e.svc.Start(e.ctx, e.as("acc_c"), "b1@example.com"); err != nil {
		t.Errorf("another person's Start = %v, want nil (limits are per person)", err)
	}
}
