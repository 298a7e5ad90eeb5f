package storagetest

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

// LimiterStore is what TestLimiter needs: an adapter's rate-limit
// buckets. No transaction or fixture is involved.
type LimiterStore interface {
	ratelimit.Store
}

// Replicated may be implemented by the store given to TestLimiter:
// Replica returns another Limiter on the same database, opened as a
// second process (a replica of the server) would open it. Without it,
// as for an adapter that keeps buckets in its process, TestLimiter skips
// the replica checks.
type Replicated interface {
	Replica(t *testing.T) ratelimit.Limiter
}

// rlStart is the fake clock's start for the limiter suite.
var rlStart = time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)

// TestLimiter checks an adapter's ratelimit.Store: a burst then refusal
// with the time until the next token, refill as the clock moves (and
// none when it goes back), independent keys, an off Limit, the deletion
// of buckets full again, a cancelled context, 32 goroutines taking from
// one bucket never getting more than it holds and, when the store
// implements Replicated, two Limiters on one database sharing buckets.
func TestLimiter(t *testing.T, newStore func(t *testing.T) LimiterStore) {
	t.Run("Burst", func(t *testing.T) { testLimiterBurst(t, newStore(t)) })
	t.Run("Refill", func(t *testing.T) { testLimiterRefill(t, newStore(t)) })
	t.Run("Keys", func(t *testing.T) { testLimiterKeys(t, newStore(t)) })
	t.Run("Off", func(t *testing.T) { testLimiterOff(t, newStore(t)) })
	t.Run("DeleteFull", func(t *testing.T) { testLimiterDeleteFull(t, newStore(t)) })
	t.Run("CanceledContext", func(t *testing.T) { testLimiterCanceled(t, newStore(t)) })
	t.Run("Concurrent", func(t *testing.T) {
		st := newStore(t)
		testLimiterConcurrent(t, []ratelimit.Limiter{st})
	})
	t.Run("Replicas", func(t *testing.T) {
		st := newStore(t)
		r, ok := st.(Replicated)
		if !ok {
			t.Skip("the store keeps its buckets in its process (no Replicated)")
		}
		testLimiterReplicas(t, st, r.Replica(t))
		testLimiterConcurrent(t, []ratelimit.Limiter{st, r.Replica(t)})
	})
}

// rlTake takes a token and fails the test on an error.
func rlTake(t *testing.T, l ratelimit.Limiter, name string, lim ratelimit.Limit, now time.Time) (bool, time.Duration) {
	t.Helper()
	ok, wait, err := l.TakeRateToken(context.Background(), ratelimit.KeyOf(name), lim, now)
	if err != nil {
		t.Fatalf("TakeRateToken(%s): %v", name, err)
	}
	if ok && wait != 0 {
		t.Errorf("TakeRateToken(%s) = true, %v; want no wait with a token", name, wait)
	}
	return ok, wait
}

// rlWant takes a token and checks the answer.
func rlWant(t *testing.T, l ratelimit.Limiter, name string, lim ratelimit.Limit, now time.Time, wantOK bool, wantWait time.Duration) {
	t.Helper()
	ok, wait := rlTake(t, l, name, lim, now)
	if ok != wantOK || wait != wantWait {
		t.Errorf("TakeRateToken(%s) at +%v = %v, %v; want %v, %v", name, now.Sub(rlStart), ok, wait, wantOK, wantWait)
	}
}

func testLimiterBurst(t *testing.T, st LimiterStore) {
	lim := ratelimit.Limit{Burst: 10, Every: time.Minute}
	for i := range 10 {
		if ok, _ := rlTake(t, st, "signin|addr|ada@example.com", lim, rlStart); !ok {
			t.Fatalf("take %d of a burst of 10 refused", i+1)
		}
	}
	// The eleventh is refused until one token has come back.
	rlWant(t, st, "signin|addr|ada@example.com", lim, rlStart, false, time.Minute)
	rlWant(t, st, "signin|addr|ada@example.com", lim, rlStart.Add(45*time.Second), false, 15*time.Second)
}

func testLimiterRefill(t *testing.T, st LimiterStore) {
	clock := fakeclock.New(rlStart)
	lim := ratelimit.Limit{Burst: 2, Every: 10 * time.Second}
	const k = "signin|ip|192.0.2.1"
	rlWant(t, st, k, lim, clock.Now(), true, 0)
	rlWant(t, st, k, lim, clock.Now(), true, 0)
	rlWant(t, st, k, lim, clock.Now(), false, 10*time.Second)
	clock.Advance(4 * time.Second)
	rlWant(t, st, k, lim, clock.Now(), false, 6*time.Second)
	clock.Advance(6 * time.Second) // one token back
	rlWant(t, st, k, lim, clock.Now(), true, 0)
	rlWant(t, st, k, lim, clock.Now(), false, 10*time.Second)
	// A clock that goes back (another replica's, a little behind) gives
	// no tokens.
	rlWant(t, st, k, lim, clock.Now().Add(-time.Minute), false, time.Minute+10*time.Second)
	clock.Advance(time.Hour) // full, and never more than Burst
	rlWant(t, st, k, lim, clock.Now(), true, 0)
	rlWant(t, st, k, lim, clock.Now(), true, 0)
	rlWant(t, st, k, lim, clock.Now(), false, 10*time.Second)
	// Sub-second limits keep microseconds.
	fast := ratelimit.Limit{Burst: 1, Every: 1500 * time.Microsecond}
	rlWant(t, st, "fast", fast, clock.Now(), true, 0)
	rlWant(t, st, "fast", fast, clock.Now().Add(time.Millisecond), false, 500*time.Microsecond)
	rlWant(t, st, "fast", fast, clock.Now().Add(1500*time.Microsecond), true, 0)
}

func testLimiterKeys(t *testing.T, st LimiterStore) {
	lim := ratelimit.Limit{Burst: 1, Every: time.Hour}
	rlWant(t, st, "signin|addr|ada@example.com", lim, rlStart, true, 0)
	rlWant(t, st, "signin|addr|ada@example.com", lim, rlStart, false, time.Hour)
	// Other names, and the same address under another kind, have buckets
	// of their own.
	for _, k := range []string{"signin|addr|bob@example.com", "reset|addr|ada@example.com", "signin|ip|ada@example.com"} {
		rlWant(t, st, k, lim, rlStart, true, 0)
	}
}

func testLimiterOff(t *testing.T, st LimiterStore) {
	for _, lim := range []ratelimit.Limit{{}, {Burst: 0, Every: time.Minute}, {Burst: 3}} {
		for range 5 {
			rlWant(t, st, "off", lim, rlStart, true, 0)
		}
	}
	// An off Limit took nothing from the bucket.
	rlWant(t, st, "off", ratelimit.Limit{Burst: 1, Every: time.Minute}, rlStart, true, 0)
}

func testLimiterDeleteFull(t *testing.T, st LimiterStore) {
	ctx := context.Background()
	lim := ratelimit.Limit{Burst: 3, Every: time.Minute}
	rlTake(t, st, "one", lim, rlStart) // full again at +1m
	for range 3 {
		rlTake(t, st, "three", lim, rlStart) // full again at +3m
	}
	deleteFull := func(at time.Duration, want int) {
		t.Helper()
		n, err := st.DeleteFullRateBuckets(ctx, rlStart.Add(at))
		if err != nil || n != want {
			t.Errorf("DeleteFullRateBuckets(+%v) = %d, %v; want %d, nil", at, n, err, want)
		}
	}
	deleteFull(59*time.Second, 0)
	deleteFull(time.Minute, 1)
	deleteFull(time.Minute, 0)
	// The bucket still filling kept its state: two tokens back at +2m.
	rlWant(t, st, "three", lim, rlStart.Add(2*time.Minute), true, 0)
	rlWant(t, st, "three", lim, rlStart.Add(2*time.Minute), true, 0)
	rlWant(t, st, "three", lim, rlStart.Add(2*time.Minute), false, time.Minute) // full again at +5m
	deleteFull(5*time.Minute-time.Microsecond, 0)
	deleteFull(5*time.Minute, 1)
	// A deleted bucket is a full one.
	for range 3 {
		rlWant(t, st, "three", lim, rlStart.Add(5*time.Minute), true, 0)
	}
	rlWant(t, st, "three", lim, rlStart.Add(5*time.Minute), false, time.Minute)
}

func testLimiterCanceled(t *testing.T, st LimiterStore) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lim := ratelimit.Limit{Burst: 1, Every: time.Hour}
	if _, _, err := st.TakeRateToken(ctx, ratelimit.KeyOf("c"), lim, rlStart); !errors.Is(err, context.Canceled) {
		t.Errorf("TakeRateToken with a cancelled context: err = %v, want context.Canceled", err)
	}
	if _, err := st.DeleteFullRateBuckets(ctx, rlStart); !errors.Is(err, context.Canceled) {
		t.Errorf("DeleteFullRateBuckets with a cancelled context: err = %v, want context.Canceled", err)
	}
	rlWant(t, st, "c", lim, rlStart, true, 0) // the failed take took nothing
}

// testLimiterConcurrent has 32 goroutines, spread over the limiters, take
// 4 tokens each from one bucket of 20 at one instant: exactly 20 succeed.
func testLimiterConcurrent(t *testing.T, ls []ratelimit.Limiter) {
	const goroutines, each, burst = 32, 4, 20
	lim := ratelimit.Limit{Burst: burst, Every: time.Hour}
	key := ratelimit.KeyOf("concurrent|" + strconv.Itoa(len(ls)))
	var taken atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func(l ratelimit.Limiter) {
			defer wg.Done()
			for range each {
				ok, _, err := l.TakeRateToken(context.Background(), key, lim, rlStart)
				if err != nil {
					errs <- err
					return
				}
				if ok {
					taken.Add(1)
				}
			}
		}(ls[g%len(ls)])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("TakeRateToken: %v", err)
	}
	if got := taken.Load(); got != burst {
		t.Errorf("%d goroutines on %d limiter(s) took %d tokens from a bucket of %d", goroutines, len(ls), got, burst)
	}
}

// testLimiterReplicas checks that a second Limiter on the same database
// sees the first one's takes: the 11th wrong password is refused on
// replica B after ten on replica A.
func testLimiterReplicas(t *testing.T, a, b ratelimit.Limiter) {
	lim := ratelimit.Limit{Burst: 10, Every: time.Minute}
	const k = "signin|addr|ada@example.com"
	for range 10 {
		rlWant(t, a, k, lim, rlStart, true, 0)
	}
	rlWant(t, b, k, lim, rlStart, false, time.Minute)
	rlWant(t, b, k, lim, rlStart.Add(time.Minute), true, 0)
	rlWant(t, a, k, lim, rlStart.Add(time.Minute), false, time.Minute)
}
