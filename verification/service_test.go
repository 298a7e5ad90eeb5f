package verification_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/verification"
)

const (
	ada  = "ada@example.com"
	flow = "pnd_1"
)

func TestCheckRules(t *testing.T) {
	fullWidth := func(code string) string {
		var b strings.Builder
		for _, r := range code {
			b.WriteRune(r - '0' + '０')
		}
		return b.String()
	}
	tests := []struct {
		name string
		// try returns the error of the final check, after any steps.
		try     func(e *env, code string) error
		wantErr error // nil: the check succeeds
	}{
		{"RightCode", func(e *env, code string) error { return check(e, code) }, nil},
		{"WrongCode", func(e *env, code string) error { return check(e, wrong(code)) }, errs.ErrInvalidCode},
		{"JustBeforeExpiry", func(e *env, code string) error {
			e.clock.Advance(10*time.Minute - time.Microsecond)
			return check(e, code)
		}, nil},
		{"Expired", func(e *env, code string) error {
			e.clock.Advance(10 * time.Minute)
			return check(e, code)
		}, verification.ErrCodeExpired},
		{"FourWrongThenRight", func(e *env, code string) error {
			wrongN(e, code, 4)
			return check(e, code)
		}, nil},
		{"FiveWrongThenRight", func(e *env, code string) error {
			wrongN(e, code, 5)
			return check(e, code)
		}, verification.ErrTooManyAttempts},
		{"Reuse", func(e *env, code string) error {
			redeem(e, code)
			return check(e, code)
		}, verification.ErrCodeUsed},
		{"WrongFlow", func(e *env, code string) error {
			_, err := e.svc.Check(e.ctx, verification.PurposeSignUp, "pnd_2", code)
			return err
		}, errs.ErrInvalidCode},
		{"WrongPurpose", func(e *env, code string) error {
			_, err := e.svc.Check(e.ctx, verification.PurposePasswordReset, flow, code)
			return err
		}, errs.ErrInvalidCode},
		{"NewCodeKillsOld", func(e *env, code string) error {
			e.clock.Advance(time.Minute)
			if next := e.issue(verification.PurposeSignUp, flow, ada); next == code {
				return check(e, wrong(code)) // one chance in a million: keep the case meaningful
			}
			return check(e, code)
		}, errs.ErrInvalidCode},
		{"NewCodeWorks", func(e *env, _ string) error {
			e.clock.Advance(time.Minute)
			return check(e, e.issue(verification.PurposeSignUp, flow, ada))
		}, nil},
		{"SurroundingSpace", func(e *env, code string) error { return check(e, " "+code+"\n") }, errs.ErrInvalidCode},
		{"FullWidthDigits", func(e *env, code string) error { return check(e, fullWidth(code)) }, errs.ErrInvalidCode},
		{"SevenDigits", func(e *env, code string) error { return check(e, code+"0") }, errs.ErrInvalidCode},
		{"FiveDigits", func(e *env, code string) error { return check(e, code[:5]) }, errs.ErrInvalidCode},
		{"Empty", func(e *env, _ string) error { return check(e, "") }, errs.ErrInvalidCode},
		{"Malformed counts as attempts", func(e *env, code string) error {
			for _, bad := range []string{" " + code, fullWidth(code), code + "0", "", "abcdef"} {
				_ = check(e, bad)
			}
			return check(e, code)
		}, verification.ErrTooManyAttempts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			code := e.issue(verification.PurposeSignUp, flow, ada)
			err := tc.try(e, code)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) || !errors.Is(err, errs.ErrInvalidCode) {
				t.Fatalf("got %v, want %v (matching errs.ErrInvalidCode)", err, tc.wantErr)
			}
		})
	}
}

func check(e *env, code string) error {
	_, err := e.svc.Check(e.ctx, verification.PurposeSignUp, flow, code)
	return err
}

func wrongN(e *env, code string, n int) {
	e.t.Helper()
	for i := range n {
		if err := check(e, wrong(code)); !errors.Is(err, errs.ErrInvalidCode) {
			e.t.Fatalf("wrong code %d: got %v, want errs.ErrInvalidCode", i+1, err)
		}
	}
}

func redeem(e *env, code string) {
	e.t.Helper()
	err := e.svc.Redeem(e.ctx, verification.PurposeSignUp, flow, code, func(context.Context) error { return nil })
	if err != nil {
		e.t.Fatalf("Redeem: %v", err)
	}
}

func TestAttemptsCountedBeforeComparing(t *testing.T) {
	e := newEnv(t)
	e.issue(verification.PurposeSignUp, flow, ada)
	for want := 1; want <= 7; want++ {
		_ = check(e, "000000x")
		c, err := e.st.CodeOfFlow(e.ctx, verification.PurposeSignUp, flow)
		if err != nil {
			t.Fatal(err)
		}
		if got := min(want, 5); c.Attempts != got {
			t.Fatalf("after %d tries Attempts = %d, want %d", want, c.Attempts, got)
		}
	}
}

func TestThrottle(t *testing.T) {
	e := newEnv(t)
	start := e.clock.Now()
	e.issue(verification.PurposeSignUp, flow, ada)

	// A burst of three codes of one purpose goes out at once; the fourth
	// waits until the first is ten minutes old.
	e.clock.Advance(time.Second)
	e.issue(verification.PurposeSignUp, flow, ada)
	e.issue(verification.PurposeSignUp, flow, ada)
	wantThrottled(t, e, verification.PurposeSignUp, 10*time.Minute-time.Second)
	if got := len(e.out.Messages()); got != 3 {
		t.Errorf("throttled Issue sent mail: %d messages, want 3", got)
	}
	if err := e.svc.Issue(e.ctx, verification.PurposeSignUp, "pnd_2", "bob@example.com"); err != nil {
		t.Errorf("another address is throttled too: %v", err)
	}

	// Another purpose has buckets of its own: a merge code and a reset
	// code right after the sign-up codes go out at once.
	e.issue(verification.PurposeMerge, "mrg_1", ada)
	e.issue(verification.PurposePasswordReset, "acc_1", ada)

	// The hourly cap of five holds per purpose: two more sign-up codes
	// (of new flows) once the window has passed, then none until the
	// first is an hour old, whatever the other purposes did.
	e.clock.Advance(10 * time.Minute)
	e.issue(verification.PurposeSignUp, "pnd_4", ada)
	e.issue(verification.PurposeSignUp, "pnd_5", ada)
	elapsed := e.clock.Now().Sub(start)
	wantThrottledFlow(t, e, verification.PurposeSignUp, "pnd_6", time.Hour-elapsed)
	e.issue(verification.PurposeMerge, "mrg_2", ada)
	e.clock.Advance(time.Hour - elapsed - time.Microsecond)
	wantThrottledFlow(t, e, verification.PurposeSignUp, "pnd_6", time.Microsecond)
	e.clock.Advance(time.Microsecond)
	e.issue(verification.PurposeSignUp, "pnd_6", ada)
}

func wantThrottled(t *testing.T, e *env, purpose verification.Purpose, retry time.Duration) {
	t.Helper()
	wantThrottledFlow(t, e, purpose, flow, retry)
}

func wantThrottledFlow(t *testing.T, e *env, purpose verification.Purpose, flowID string, retry time.Duration) {
	t.Helper()
	err := e.svc.Issue(e.ctx, purpose, flowID, ada)
	var te *errs.RetryError
	if !errors.As(err, &te) || !errors.Is(err, verification.ErrThrottled) || te.After != retry {
		t.Fatalf("Issue(%s, %s): got %v, want an *errs.RetryError after %v", purpose, flowID, err, retry)
	}
}

// A flow whose code expired gets a new one over the limits, once per
// TTL, so that requests of a stranger cannot leave its owner without a
// live code; a code killed by wrong guesses waits for its expiry, so
// the guesses stay bounded.
func TestExpiredCodeGoesOutOverTheLimits(t *testing.T) {
	e := newEnv(t)
	const reset = verification.PurposePasswordReset
	for range verification.DefaultMaxPerHour {
		e.issue(reset, flow, ada)
		e.clock.Advance(time.Second)
		if _, err := e.svc.Check(e.ctx, reset, flow, "000000x"); err == nil {
			t.Fatal("a malformed code passed")
		}
		e.clock.Advance(verification.DefaultWindow / 2)
	}
	if err := e.svc.Issue(e.ctx, reset, flow, ada); !errors.Is(err, verification.ErrThrottled) {
		t.Fatalf("Issue over the hourly cap with a live code: %v, want ErrThrottled", err)
	}
	e.clock.Advance(verification.DefaultTTL)
	code := e.issue(reset, flow, ada)
	if err := e.svc.Issue(e.ctx, reset, flow, ada); !errors.Is(err, verification.ErrThrottled) {
		t.Fatalf("Issue right after the extra code: %v, want ErrThrottled", err)
	}
	for range verification.DefaultMaxAttempts {
		_, _ = e.svc.Check(e.ctx, reset, flow, wrong(code))
	}
	e.clock.Advance(verification.DefaultTTL / 2)
	if err := e.svc.Issue(e.ctx, reset, flow, ada); !errors.Is(err, verification.ErrThrottled) {
		t.Fatalf("Issue over the cap for a code killed by guesses: %v, want ErrThrottled", err)
	}
	e.clock.Advance(verification.DefaultTTL / 2)
	code = e.issue(reset, flow, ada)
	if _, err := e.svc.Check(e.ctx, reset, flow, code); err != nil {
		t.Errorf("the extra code: %v", err)
	}
}

// A code that failed its throttle leaves the code before it alive.
func TestThrottledIssueKeepsTheCode(t *testing.T) {
	e := newEnv(t)
	var code string
	for range verification.DefaultBurst {
		code = e.issue(verification.PurposeSignUp, flow, ada)
	}
	if err := e.svc.Issue(e.ctx, verification.PurposeSignUp, flow, ada); !errors.Is(err, verification.ErrThrottled) {
		t.Fatalf("Issue past the burst: %v, want ErrThrottled", err)
	}
	if err := check(e, code); err != nil {
		t.Errorf("throttled Issue killed the previous code: %v", err)
	}
}

func TestThrottleConfig(t *testing.T) {
	e := newEnv(t)
	svc := verification.NewService(verification.Config{
		Store: e.st, Tx: e.st, Mailer: e.out, Now: e.clock.Now, Burst: -1, MaxPerHour: 2,
	})
	for i, want := range []bool{true, true, false} {
		err := svc.Issue(e.ctx, verification.PurposeSignUp, flow, ada)
		if got := err == nil; got != want {
			t.Errorf("send %d with no burst, 2 per hour: err %v, want success %v", i+1, err, want)
		}
	}
	svc = verification.NewService(verification.Config{
		Store: e.st, Tx: e.st, Mailer: e.out, Now: e.clock.Now, Burst: 1, Window: time.Minute, MaxPerHour: -1,
	})
	for i, want := range []bool{true, false} {
		err := svc.Issue(e.ctx, verification.PurposeMerge, flow, "bob@example.com")
		if got := err == nil; got != want {
			t.Errorf("send %d with a burst of 1: err %v, want success %v", i+1, err, want)
		}
	}
	e.clock.Advance(time.Minute)
	if err := svc.Issue(e.ctx, verification.PurposeMerge, flow, "bob@example.com"); err != nil {
		t.Errorf("send after the window: %v", err)
	}
}

func TestAllowSharesThrottle(t *testing.T) {
	e := newEnv(t)
	for range verification.DefaultBurst {
		if err := e.svc.Allow(e.ctx, verification.PurposeSignUp, ada); err != nil {
			t.Fatalf("Allow: %v", err)
		}
	}
	if err := e.svc.Issue(e.ctx, verification.PurposeSignUp, flow, ada); !errors.Is(err, verification.ErrThrottled) {
		t.Errorf("Issue right after a burst of Allow: got %v, want ErrThrottled", err)
	}
	if err := e.svc.Allow(e.ctx, verification.PurposeSignUp, ada); !errors.Is(err, verification.ErrThrottled) {
		t.Errorf("Allow right after a burst of Allow: got %v, want ErrThrottled", err)
	}
	if err := e.svc.Allow(e.ctx, "", ada); !errors.Is(err, verification.ErrMissingArgument) {
		t.Errorf("Allow without a purpose: got %v, want ErrMissingArgument", err)
	}
	if n := len(e.out.Messages()); n != 0 {
		t.Errorf("Allow sent %d messages", n)
	}
}

func TestDigestOnly(t *testing.T) {
	e := newEnv(t)
	code := e.issue(verification.PurposeSignUp, flow, ada)
	c, err := e.st.CodeOfFlow(e.ctx, verification.PurposeSignUp, flow)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Digest) != 32 || strings.Contains(string(c.Digest), code) {
		t.Errorf("stored digest %x is not a 32-byte MAC hiding the code", c.Digest)
	}
	// Another key gives another digest: a code cannot be checked without it.
	other := verification.NewService(verification.Config{Store: e.st, Tx: e.st, Mailer: e.out, Key: []byte("other"), Now: e.clock.Now})
	if _, err := other.Check(e.ctx, verification.PurposeSignUp, flow, code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("Check with another key: got %v, want errs.ErrInvalidCode", err)
	}
}

func TestRedeemRace(t *testing.T) {
	const n = 16
	e := newEnv(t)
	code := e.issue(verification.PurposeSignUp, flow, ada)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		runs int
	)
	results := make([]error, n)
	for i := range n {
		wg.Go(func() {
			results[i] = e.svc.Redeem(e.ctx, verification.PurposeSignUp, flow, code, func(context.Context) error {
				mu.Lock()
				runs++
				mu.Unlock()
				return nil
			})
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range results {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, errs.ErrInvalidCode):
			t.Errorf("goroutine %d: got %v, want nil or errs.ErrInvalidCode", i, err)
		}
	}
	if ok != 1 || runs != 1 {
		t.Errorf("%d of %d concurrent Redeem calls succeeded and fn ran %d times, want exactly 1", ok, n, runs)
	}
}

func TestRedeemRollback(t *testing.T) {
	e := newEnv(t)
	code := e.issue(verification.PurposeSignUp, flow, ada)
	boom := errors.New("boom")
	err := e.svc.Redeem(e.ctx, verification.PurposeSignUp, flow, code, func(context.Context) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("Redeem: got %v, want fn's error", err)
	}
	redeem(e, code) // the failed action left the code unused
}

func TestConsume(t *testing.T) {
	e := newEnv(t)
	code := e.issue(verification.PurposeSignUp, flow, ada)
	id, err := e.svc.Check(e.ctx, verification.PurposeSignUp, flow, code)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := e.svc.Consume(e.ctx, id); err != nil {
		t.Fatalf("Consume: %v", err)
	}
	for _, id := range []string{id, "vc_unknown"} {
		if err := e.svc.Consume(e.ctx, id); !errors.Is(err, errs.ErrInvalidCode) {
			t.Errorf("Consume(%s) again: got %v, want errs.ErrInvalidCode", id, err)
		}
	}
}

func TestCancelForgetDeleteExpired(t *testing.T) {
	e := newEnv(t)
	code := e.issue(verification.PurposeSignUp, flow, ada)
	if err := e.svc.Cancel(e.ctx, verification.PurposeSignUp, flow); err != nil {
		t.Fatal(err)
	}
	if err := check(e, code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("Check after Cancel: got %v, want errs.ErrInvalidCode", err)
	}

	e.clock.Advance(time.Minute)
	code = e.issue(verification.PurposeSignUp, flow, ada)
	if err := e.svc.Forget(e.ctx, ada); err != nil {
		t.Fatal(err)
	}
	if err := check(e, code); !errors.Is(err, errs.ErrInvalidCode) {
		t.Errorf("Check after Forget: got %v, want errs.ErrInvalidCode", err)
	}
	e.issue(verification.PurposeSignUp, flow, ada) // the send log went too

	e.issue(verification.PurposeMerge, "mrg_1", "bob@example.com")
	// Expired codes stay as long as the send log (an hour), since they
	// let their flow get a new code over the limits.
	e.clock.Advance(10*time.Minute + time.Hour)
	if n, err := e.svc.DeleteExpired(e.ctx); err != nil || n != 0 {
		t.Errorf("DeleteExpired an hour after expiry = %d, %v; want 0", n, err)
	}
	e.clock.Advance(time.Microsecond)
	if n, err := e.svc.DeleteExpired(e.ctx); err != nil || n != 2 {
		t.Errorf("DeleteExpired past an hour after expiry = %d, %v; want 2", n, err)
	}
	if sends, _ := e.st.SendsSince(e.ctx, ada, time.Time{}); len(sends) != 0 {
		t.Errorf("sends older than an hour kept: %v", sends)
	}
}

func TestNewServicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewService without a store did not panic")
		}
	}()
	verification.NewService(verification.Config{})
}
