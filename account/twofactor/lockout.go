package twofactor

import "time"

// Lockout is the rule of wrong second-factor codes: every code (or
// password) checked counts as one attempt, MaxAttempts attempts without
// a success lock the second factor for LockFor, and a success starts the
// count again. While locked, nothing is checked and nothing is counted;
// when the lock ends, counting starts from zero.
//
// The rule is pure: it takes a LockState and returns the next one. The
// Store only keeps the state and swaps it (Store.SwapTwoFactorLock), so
// the rule is written once, here, whatever the adapter.
type Lockout struct {
	// MaxAttempts is how many attempts without a success lock.
	MaxAttempts int
	// LockFor is how long a lock holds.
	LockFor time.Duration
}

// LockState is the stored part of a Record that the Lockout rule reads
// and writes: the attempts counted and the end of the lock.
type LockState struct {
	// Attempts counts the attempts since the last success or lock.
	Attempts int
	// LockedUntil is the end of the lock; zero when there never was one.
	LockedUntil time.Time
}

// LockState returns the lockout state of the record.
func (r Record) LockState() LockState {
	return LockState{Attempts: r.Attempts, LockedUntil: r.LockedUntil}
}

// Locked reports whether st refuses attempts at now: its lock ends after
// now.
func (st LockState) Locked(now time.Time) bool { return st.LockedUntil.After(now) }

// Attempt decides one attempt made at now on state st. A locked state
// refuses it (ok false) and stays as it is. Otherwise the attempt is
// counted, and the attempt that reaches MaxAttempts locks until
// now+LockFor and sets the count back to zero; it is still allowed (its
// code is checked), the next one is refused. A success is not decided
// here: it sets the state back to the zero LockState
// (Store.ResetTwoFactorAttempts).
func (l Lockout) Attempt(st LockState, now time.Time) (next LockState, ok bool) {
	if st.Locked(now) {
		return st, false
	}
	st.Attempts++
	if st.Attempts >= l.MaxAttempts {
		return LockState{LockedUntil: now.Add(l.LockFor)}, true
	}
	return st, true
}
