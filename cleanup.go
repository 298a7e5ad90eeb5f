package usersettings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// DefaultCleanupEvery is how often RunCleanup runs Cleanup when every is
// zero.
const DefaultCleanupEvery = 15 * time.Minute

// cleanupBatch is how many security events one statement of the
// retention job deletes; the other jobs batch in the adapter
// (sqlstore.WithDeleteBatch).
const cleanupBatch = 500

// cleanupJob names the job lock of Cleanup.
const cleanupJob = "cleanup"

// CleanupReport counts what one Cleanup deleted.
type CleanupReport struct {
	// Ran is false when another replica held the cleanup lock: then
	// nothing was done, and that replica did the work.
	Ran bool
	// Sessions counts the expired sign-in sessions.
	Sessions int
	// Codes counts the expired one-time codes.
	Codes int
	// Pending counts the expired sign-up and add-account requests.
	Pending int
	// MergeFlows and SSOFlows count the expired merge and single-sign-on
	// flows.
	MergeFlows, SSOFlows int
	// Mail counts the sent and abandoned messages older than
	// Options.Courier.Keep.
	Mail int
	// RateBuckets counts the rate-limit buckets full again.
	RateBuckets int
	// LoginFailures counts the counters of failed sign-ins that every
	// limit has forgotten (account.LoginLimits).
	LoginFailures int
	// SecurityEvents counts the security-log events older than
	// Options.SecurityLogRetention.
	SecurityEvents int
	// PasskeyCeremonies counts the passkey ceremonies that expired
	// unfinished.
	PasskeyCeremonies int
	// PasswordWarnings counts the password-expiry warnings queued
	// (account.Service.WarnPasswordExpiry).
	PasswordWarnings int
}

// Cleanup runs every cleanup and retention job of the SDK once: it deletes
// the expired sessions, codes, pending sign-ups, merge and single-sign-on
// flows, the passkey ceremonies never finished, the sent mail older than
// Options.Courier.Keep, the rate-limit buckets full again, the counters of failed sign-ins every limit has
// forgotten and the security-log events older than
// Options.SecurityLogRetention; and it queues the password-expiry
// warnings that are due (Options.PasswordWarnings: 14 and 3 days before
// a password expires, each mailed once per password). It runs in one
// replica at a time: it
// first takes the store's job lock (storage.JobLocker: a PostgreSQL
// advisory lock with storage/sqlstore), and when another replica holds
// it, it returns at once with Ran false. Each job deletes in batches of
// at most 500 rows, each committed on its own, so a run never holds a
// long transaction. A failed job does not stop the others: Cleanup
// returns every failure, joined, with the counts of what was done.
func (s *Settings) Cleanup(ctx context.Context) (CleanupReport, error) {
	release, ok, err := s.jobs.TryJobLock(ctx, cleanupJob)
	if err != nil {
		return CleanupReport{}, fmt.Errorf("usersettings: cleanup lock: %w", err)
	}
	if !ok {
		return CleanupReport{}, nil
	}
	defer release()
	r := CleanupReport{Ran: true}
	var errs []error
	count := func(n *int, job string) func(int, error) {
		return func(m int, err error) {
			*n += m
			if err != nil {
				errs = append(errs, fmt.Errorf("usersettings: cleanup of %s: %w", job, err))
			}
		}
	}
	count(&r.Sessions, "sessions")(s.Sessions.DeleteExpired(ctx))
	count(&r.Codes, "codes")(s.Codes.DeleteExpired(ctx))
	count(&r.Pending, "pending sign-ups")(s.Accounts.DeleteExpiredPending(ctx))
	count(&r.MergeFlows, "merge flows")(s.Merges.DeleteExpired(ctx))
	count(&r.SSOFlows, "sso flows")(s.SSO.DeleteExpiredFlows(ctx))
	count(&r.Mail, "mail")(s.Courier.Cleanup(ctx))
	count(&r.RateBuckets, "rate-limit buckets")(s.buckets.DeleteFullRateBuckets(ctx, s.Now()))
	count(&r.LoginFailures, "login failures")(s.Accounts.DeleteOldLoginFailures(ctx))
	count(&r.SecurityEvents, "security log")(s.deleteSecurityEvents(ctx))
	count(&r.PasskeyCeremonies, "passkey ceremonies")(s.Passkeys.DeleteExpiredCeremonies(ctx))
	count(&r.PasswordWarnings, "password-expiry warnings")(s.Accounts.WarnPasswordExpiry(ctx))
	return r, errors.Join(errs...)
}

// deleteSecurityEvents deletes the events older than the retention, in
// batches.
func (s *Settings) deleteSecurityEvents(ctx context.Context) (int, error) {
	before := s.Now().Add(-s.securityRetention)
	total := 0
	for {
		n, err := s.securityEvents.DeleteSecurityEventsBefore(ctx, before, cleanupBatch)
		total += n
		if err != nil || n < cleanupBatch {
			return total, err
		}
	}
}

// RunCleanup runs Cleanup every every (DefaultCleanupEvery, 15 minutes,
// when zero or negative) until ctx ends, then returns ctx's error. A host
// runs it in a goroutine of each replica: the job lock lets one of them
// do each round's work. Failures are logged as warnings through
// slog.Default and the next round tries again.
func (s *Settings) RunCleanup(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		every = DefaultCleanupEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if _, err := s.Cleanup(ctx); err != nil && ctx.Err() == nil {
			slog.Default().WarnContext(ctx, "usersettings: cleanup failed", "err", err.Error())
		}
	}
}

// cleanupRoles finds the roles of store that Cleanup uses beyond the
// services: a job lock (a lock of this process when the store has none,
// the one optional capability), and the rate-limit buckets and the
// security log, which every Store keeps.
func (s *Settings) cleanupRoles(store Store, o Options) {
	s.jobs, _ = store.(storage.JobLocker)
	if s.jobs == nil {
		s.jobs = new(storage.Mutexes)
	}
	s.buckets, s.securityEvents = store, store
	s.securityRetention = o.SecurityLogRetention
	if s.securityRetention <= 0 {
		s.securityRetention = securitylog.DefaultRetention
	}
}
