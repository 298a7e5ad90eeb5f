package twofactor_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/errs"
)

func TestLockoutAttempt(t *testing.T) {
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	l := twofactor.Lockout{MaxAttempts: 3, LockFor: 15 * time.Minute}
	until := now.Add(15 * time.Minute)
	tests := []struct {
		name   string
		st     twofactor.LockState
		at     time.Time
		want   twofactor.LockState
		wantOK bool
	}{
		{"first attempt", twofactor.LockState{}, now, twofactor.LockState{Attempts: 1}, true},
		{"second attempt", twofactor.LockState{Attempts: 1}, now, twofactor.LockState{Attempts: 2}, true},
		{"the last one locks", twofactor.LockState{Attempts: 2}, now, twofactor.LockState{LockedUntil: until}, true},
		{"locked", twofactor.LockState{LockedUntil: until}, now.Add(time.Minute), twofactor.LockState{LockedUntil: until}, false},
		{"locked a microsecond before the end", twofactor.LockState{LockedUntil: until}, until.Add(-time.Microsecond), twofactor.LockState{LockedUntil: until}, false},
		{"the lock ends at LockedUntil", twofactor.LockState{LockedUntil: until}, until, twofactor.LockState{Attempts: 1, LockedUntil: until}, true},
		{"an old lock counts on", twofactor.LockState{Attempts: 2, LockedUntil: now.Add(-time.Hour)}, now, twofactor.LockState{LockedUntil: until}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := l.Attempt(tt.st, tt.at)
			if ok != tt.wantOK || got.Attempts != tt.want.Attempts || !got.LockedUntil.Equal(tt.want.LockedUntil) {
				t.Errorf("Attempt(%+v, %v) = %+v, %v; want %+v, %v", tt.st, tt.at, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestLockoutLimitOne(t *testing.T) {
	now := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	l := twofactor.Lockout{MaxAttempts: 1, LockFor: time.Minute}
	st, ok := l.Attempt(twofactor.LockState{}, now)
	if !ok || !st.Locked(now) || st.Locked(now.Add(time.Minute)) {
		t.Errorf("Attempt with MaxAttempts 1 = %+v, %v; want allowed, locked for a minute", st, ok)
	}
}

// Concurrent wrong codes are each counted once: with the default limit
// of 5, 16 at once give exactly 5 invalid codes, then the lock.
func TestLockoutConcurrent(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.enrolApp()
	wrong := e.code(secret, 10*time.Minute)
	const n = 16
	results := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = e.svc.Verify(e.ctx, testAccount, wrong, signInClient)
		}()
	}
	close(start)
	wg.Wait()
	invalid, locked := 0, 0
	for _, err := range results {
		switch {
		case errors.Is(err, errs.ErrInvalidCode):
			invalid++
		case errors.Is(err, twofactor.ErrLocked):
			locked++
		default:
			t.Errorf("Verify: got %v, want ErrInvalidCode or ErrLocked", err)
		}
	}
	if invalid != 5 || locked != n-5 {
		t.Errorf("%d concurrent wrong codes: %d invalid, %d locked; want 5, %d", n, invalid, locked, n-5)
	}
	wantErr(t, "Verify right code after the race", e.svc.Verify(e.ctx, testAccount, e.code(secret, 0), signInClient), twofactor.ErrLocked)
}

func ExampleLockout_Attempt() {
	l := twofactor.Lockout{MaxAttempts: 3, LockFor: 15 * time.Minute}
	now := time.Date(2024, 5, 6, 12, 0, 0, 0, time.UTC)
	var st twofactor.LockState
	for range 4 {
		var ok bool
		st, ok = l.Attempt(st, now)
		fmt.Printf("allowed=%v attempts=%d locked=%v\n", ok, st.Attempts, st.Locked(now))
	}
	fmt.Println("open again at", st.LockedUntil.Format(time.Kitchen), !st.Locked(now.Add(15*time.Minute)))
	// Output:
	// allowed=true attempts=1 locked=false
	// allowed=true attempts=2 locked=false
	// allowed=true attempts=0 locked=true
	// allowed=false attempts=0 locked=true
	// open again at 12:15PM true
}
