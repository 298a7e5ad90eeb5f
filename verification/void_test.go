package verification_test

import (
	"errors"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// zeros is a source of randomness that gives only zero bytes: the code
// it draws is 000000.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestIssueVoid(t *testing.T) {
	e := newEnv(t)
	// An earlier, real code of the flow is replaced.
	real := e.issue(verification.PurposeMerge, "flow_1", "ada@example.com")
	e.clock.Advance(time.Minute)
	e.svc = verification.NewService(verification.Config{
		Store: e.st, Tx: e.st, Mailer: e.out, Key: []byte("test key, 32 bytes long........"), Now: e.clock.Now, Rand: zeros{},
	})
	if err := e.svc.IssueVoid(e.ctx, verification.PurposeMerge, "flow_1", "stand-in:1"); err != nil {
		t.Fatalf("IssueVoid: %v", err)
	}
	if n := len(e.out.Messages()); n != 1 {
		t.Fatalf("%d mails, want only the real one", n)
	}
	c, err := e.st.CodeOfFlow(e.ctx, verification.PurposeMerge, "flow_1")
	if err != nil || c.Address != "stand-in:1" {
		t.Fatalf("stored code = %+v, %v; want the void code", c, err)
	}
	// Neither the code drawn (000000 from zeros) nor the replaced one
	// confirms the flow; each try counts.
	for _, code := range []string{"000000", real} {
		if _, err := e.svc.Check(e.ctx, verification.PurposeMerge, "flow_1", code); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("Check(%s) = %v, want errs.ErrInvalidCode", code, err)
		}
	}
	if c, _ := e.st.CodeOfFlow(e.ctx, verification.PurposeMerge, "flow_1"); c.Attempts != 2 {
		t.Errorf("attempts = %d, want 2", c.Attempts)
	}
	for range verification.DefaultBurst - 1 { // the rest of the burst
		if err := e.svc.Allow(e.ctx, verification.PurposeMerge, "stand-in:1"); err != nil {
			t.Fatal(err)
		}
	}
	err = e.svc.IssueVoid(e.ctx, verification.PurposeMerge, "flow_2", "stand-in:1")
	if !errors.Is(err, verification.ErrThrottled) {
		t.Errorf("IssueVoid past the burst = %v, want throttled like Issue", err)
	}
	if err := e.svc.IssueVoid(e.ctx, verification.PurposeMerge, "", "x"); !errors.Is(err, verification.ErrMissingArgument) {
		t.Errorf("IssueVoid without flow = %v, want ErrMissingArgument", err)
	}
}

// TestIssueVoidNeverMails checks IssueVoid with a mailer that fails every
// send: nothing is sent, so nothing fails.
func TestIssueVoidNeverMails(t *testing.T) {
	st := memory.New()
	clk := fakeclock.New(time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC))
	out := notify.NewOutbox()
	svc := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: out, Now: clk.Now})
	if err := svc.IssueVoid(t.Context(), verification.PurposeRecoveryReset, "rr_1", "nobody@example.com"); err != nil {
		t.Fatal(err)
	}
	if n := len(out.Messages()); n != 0 {
		t.Errorf("%d mails sent, want none", n)
	}
}

// A decoy flow is throttled as a real one, exception included: once its
// code expired, a new (void) code goes out over the limits, as Issue
// does for a real flow, so a resend does not tell the two apart.
func TestIssueVoidExpiredOverTheLimits(t *testing.T) {
	e := newEnv(t)
	const signup = verification.PurposeSignUp
	for _, issue := range []func(flow string) error{
		func(flow string) error { return e.svc.Issue(e.ctx, signup, flow, "real@example.com") },
		func(flow string) error { return e.svc.IssueVoid(e.ctx, signup, flow, "decoy@example.com") },
	} {
		for i := range verification.DefaultMaxPerHour {
			if err := issue("flow_a"); err != nil {
				t.Fatalf("send %d within the limits: %v", i+1, err)
			}
			e.clock.Advance(verification.DefaultWindow / 2)
		}
		if err := issue("flow_a"); !errors.Is(err, verification.ErrThrottled) {
			t.Fatalf("past the hourly cap with a live code: %v, want ErrThrottled", err)
		}
		e.clock.Advance(verification.DefaultTTL)
		if err := issue("flow_a"); err != nil {
			t.Errorf("after the code expired: %v, want a new code over the limits", err)
		}
		e.clock.Advance(2 * time.Hour)
	}
}
