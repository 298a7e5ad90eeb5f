package usersettings_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
)

// relay is a Mailer standing in for an SMTP relay: slow (each message
// takes delay) or down (every message is refused at once), delivering to
// box otherwise.
type relay struct {
	box   *notify.Outbox
	delay atomic.Int64 // nanoseconds
	down  atomic.Bool
	sent  atomic.Int64
}

var errRelayDown = errors.New("dial tcp 127.0.0.1:25: connect: connection refused")

func (r *relay) Send(ctx context.Context, m notify.Message) error {
	if r.down.Load() {
		return errRelayDown
	}
	select {
	case <-time.After(time.Duration(r.delay.Load())):
	case <-ctx.Done():
		return ctx.Err()
	}
	r.sent.Add(1)
	return r.box.Send(ctx, m)
}

// timingSamples is how many timings each side of a comparison takes.
const timingSamples = 50

// sameTime compares two samples of durations: their medians must lie
// within tol of each other, and a one-sided Mann-Whitney rank test must
// not find either side slower than the other by more than tol (z below
// 2.33, p < 0.01). It returns a description of the failure, or "".
func sameTime(a, b []time.Duration, tol time.Duration) string {
	ma, mb := median(a), median(b)
	if d := ma - mb; d > tol || -d > tol {
		return fmt.Sprintf("medians %v and %v differ by more than %v", ma, mb, tol)
	}
	if z := rankZ(a, b, tol); z > 2.33 {
		return fmt.Sprintf("the first is slower by more than %v (rank test z = %.1f)", tol, z)
	}
	if z := rankZ(b, a, tol); z > 2.33 {
		return fmt.Sprintf("the second is slower by more than %v (rank test z = %.1f)", tol, z)
	}
	return ""
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// rankZ is the normal approximation of the Mann-Whitney statistic for
// "x - shift tends to exceed y".
func rankZ(x, y []time.Duration, shift time.Duration) float64 {
	var u float64
	for _, xi := range x {
		for _, yj := range y {
			switch {
			case xi-shift > yj:
				u++
			case xi-shift == yj:
				u += 0.5
			}
		}
	}
	n1, n2 := float64(len(x)), float64(len(y))
	mean := n1 * n2 / 2
	variance := n1 * n2 * (n1 + n2 + 1) / 12
	return (u - mean) / math.Sqrt(variance)
}

// TestRankTestCatchesInlineMail shows that sameTime tells apart a request
// that waits for a 50 ms relay from one that does not.
func TestRankTestCatchesInlineMail(t *testing.T) {
	var slow, fast []time.Duration
	for range 10 {
		start := time.Now()
		time.Sleep(50 * time.Millisecond)
		slow = append(slow, time.Since(start))
		start = time.Now()
		fast = append(fast, time.Since(start))
	}
	if sameTime(slow, fast, 10*time.Millisecond) == "" {
		t.Error("sameTime finds a 50 ms wait equal to none")
	}
}

// TestNoEnumerationThroughMailTiming checks that RequestPasswordReset and
// SignUp take the same time for a registered and an unknown address,
// while the relay takes 50 ms a message (with the courier delivering in
// the background) and while it is down: no request waits for the relay,
// and every request succeeds. 50 interleaved samples per side.
func TestNoEnumerationThroughMailTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	r := &relay{box: notify.NewOutbox()}
	s, err := usersettings.New(memory.New(), usersettings.Options{
		Dev: true, Mailer: r, Hasher: fastHasher(), CodeBurst: -1, CodeMaxPerHour: -1,
		Courier: notify.CourierTuning{Poll: time.Millisecond, RetryBase: time.Hour,
			Failed: func(context.Context, *notify.DeliveryError) {}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	known := "known@example.com"
	pending, err := s.Accounts.SignUp(ctx, known, pw, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Courier.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accounts.ConfirmSignUp(ctx, pending, lastCode(t, r.box, known)); err != nil {
		t.Fatal(err)
	}

	n := 0
	fresh := func() string { n++; return fmt.Sprintf("new%d@example.com", n) }
	ops := map[string]func(addr string) error{
		"RequestPasswordReset": func(addr string) error { return s.Accounts.RequestPasswordReset(ctx, addr) },
		"SignUp": func(addr string) error {
			_, err := s.Accounts.SignUp(ctx, addr, pw, false)
			return err
		},
	}
	for _, relayState := range []string{"slow", "down"} {
		r.delay.Store(int64(50 * time.Millisecond))
		r.down.Store(relayState == "down")
		cctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { _ = s.Courier.Run(cctx); close(done) }()
		for _, name := range []string{"RequestPasswordReset", "SignUp"} {
			t.Run(relayState+"/"+name, func(t *testing.T) {
				op := ops[name]
				var ks, us []time.Duration
				for i := range 2 * timingSamples {
					addr := known
					if i%2 == 1 {
						addr = fresh()
					}
					start := time.Now()
					err := op(addr)
					d := time.Since(start)
					if err != nil {
						t.Fatalf("%s(%s) with the relay %s: %v", name, addr, relayState, err)
					}
					if i%2 == 0 {
						ks = append(ks, d)
					} else {
						us = append(us, d)
					}
				}
				t.Logf("median known %v, unknown %v", median(ks), median(us))
				if msg := sameTime(ks, us, 5*time.Millisecond); msg != "" {
					t.Errorf("registered versus unknown address: %s", msg)
				}
			})
		}
		stop()
		<-done
	}
	// Nothing was lost while the relay was down: the refused messages
	// wait in the outbox for their retry.
	all, err := s.Courier.Mail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 2*timingSamples {
		t.Errorf("the outbox holds %d messages, want at least the %d queued while the relay was down", len(all), 2*timingSamples)
	}
}

// workSamples is how many timings each side of a comparison of
// TestNoEnumerationThroughWork takes.
const workSamples = 80

// workTolerance is the difference in time TestNoEnumerationThroughWork
// accepts between a registered and an unknown address, relative to the
// faster median: the paths once differed by a factor of 4 to 12 (the
// write transaction of a code and its mail, or the check of a code),
// with or without the race detector, which slows every path alike.
func workTolerance(a, b []time.Duration) time.Duration {
	return max(min(median(a), median(b))/4, 10*time.Microsecond)
}

// TestNoEnumerationThroughWork checks, on SQLite (where a write costs
// what it costs a deployment), that the paths for a registered address
// and for an unknown one do the same work: RequestPasswordReset (a code
// for one, a void code for the other), and a wrong code on the pending id
// SignUp returns (a real pending request, or the decoy of a registered
// address). workSamples interleaved samples a side, the rank test of
// sameTime with workTolerance.
func TestNoEnumerationThroughWork(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	ctx := context.Background()
	st, db, err := sqlite.OpenStore(ctx, t.TempDir()+"/timing.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(); _ = db.Close() })
	box := notify.NewOutbox()
	// Throttles on, high enough that no sample is refused: their reads
	// and writes are part of the work compared.
	s, err := usersettings.New(st, usersettings.Options{
		Dev: true, Mailer: box, Hasher: fastHasher(),
		CodeBurst: 10 * workSamples, CodeMaxPerHour: 10 * workSamples,
		CodeKeys:      usersettings.KeyRing{bytes.Repeat([]byte{2}, 32)},
		TwoFactorKeys: usersettings.KeyRing{bytes.Repeat([]byte{3}, 32)},
	})
	if err != nil {
		t.Fatal(err)
	}
	known := "known@example.com"
	pending, err := s.Accounts.SignUp(ctx, known, pw, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Courier.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accounts.ConfirmSignUp(ctx, pending, lastCode(t, box, known)); err != nil {
		t.Fatal(err)
	}

	// compare times op on the known address (even samples) and on an
	// unknown one (odd), interleaved, as an attacker would compare two
	// addresses; prep runs untimed before each sample.
	unknown := "unknown@example.com"
	compare := func(t *testing.T, op func(arg string) error, prep func(addr string) string) {
		var ks, us []time.Duration
		for i := range 2 * workSamples {
			addr := known
			if i%2 == 1 {
				addr = unknown
			}
			arg := prep(addr)
			start := time.Now()
			err := op(arg)
			d := time.Since(start)
			if err != nil {
				t.Fatalf("sample %d: %v", i, err)
			}
			if i%2 == 0 {
				ks = append(ks, d)
			} else {
				us = append(us, d)
			}
		}
		t.Logf("median registered %v, unknown %v", median(ks), median(us))
		if msg := sameTime(ks, us, workTolerance(ks, us)); msg != "" {
			t.Errorf("registered versus unknown address: %s", msg)
		}
	}
	t.Run("RequestPasswordReset", func(t *testing.T) {
		compare(t, func(addr string) error {
			return s.Accounts.RequestPasswordReset(ctx, addr)
		}, func(addr string) string { return addr })
	})
	t.Run("ConfirmSignUp wrong code", func(t *testing.T) {
		compare(t, func(pid string) error {
			_, err := s.Accounts.ConfirmSignUp(ctx, pid, "000000")
			if errors.Is(err, errs.ErrInvalidCode) {
				return nil
			}
			return fmt.Errorf("ConfirmSignUp with a wrong code: %v, want errs.ErrInvalidCode", err)
		}, func(addr string) string {
			pid, err := s.Accounts.SignUp(ctx, addr, pw, false)
			if err != nil {
				t.Fatal(err)
			}
			return pid
		})
	})
}
