package token

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultRevocationCheck is how often, at most, a Service reads the
// shared revocation sequence (Config.RevocationCheck).
const DefaultRevocationCheck = 250 * time.Millisecond

// Revocations is a revocation sequence shared by every replica on one
// store: a counter that every revoking change advances in its own
// transaction. A Service that caches API key validations reads it at
// most every Config.RevocationCheck (by its clock, Config.Now) and
// empties its cache when it moved,
// so a key revoked on one replica is refused by every other within that
// interval plus one read, instead of the cache TTL.
//
// storage/memory and storage/sqlstore implement it (one row on SQL, bumped
// with the change, so the new value is seen exactly when the change is);
// storagetest.TestRevocations checks an implementation.
type Revocations interface {
	// BumpRevocations advances the sequence, joining the transaction ctx
	// carries.
	BumpRevocations(ctx context.Context) error
	// RevocationSeq returns the sequence as last committed.
	RevocationSeq(ctx context.Context) (int64, error)
}

// revocationSync keeps a Service's cache in step with the shared
// revocation sequence. Validations call sync; at most one of them reads
// the store at a time, once per interval, and the others use the cache
// meanwhile. When the read fails the cache keeps its entries until their
// TTL (the bound without a sequence), and the next read after the
// interval recovers.
type revocationSync struct {
	revs     Revocations
	interval time.Duration

	checked  atomic.Int64 // Unix nanoseconds of the last read, by the Service's clock; 0 before the first
	checking atomic.Bool

	mu     sync.Mutex // guards seq, known, failed
	seq    int64
	known  bool
	failed bool
}

func newRevocationSync(revs Revocations, interval time.Duration) *revocationSync {
	return &revocationSync{revs: revs, interval: interval}
}

// sync reads the sequence when the last read, by the Service's clock,
// is further than the interval in the past (or in the future: the clock
// was set back; a concurrent validation's now may be a little older)
// and no other caller is reading it, and purges the cache when it moved.
// now is the time the validation already read; when the last read is
// recent, sync costs one atomic load and a comparison.
func (r *revocationSync) sync(ctx context.Context, c *keyCache, now time.Time) {
	ns := now.UnixNano()
	if last := r.checked.Load(); last != 0 && ns-last < int64(r.interval) && last-ns < int64(r.interval) {
		return
	}
	if !r.checking.CompareAndSwap(false, true) {
		return
	}
	defer r.checking.Store(false)
	seq, err := r.revs.RevocationSeq(ctx)
	r.checked.Store(ns)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if !r.failed && ctx.Err() == nil {
			r.failed = true
			slog.Default().WarnContext(ctx, "token: reading the revocation sequence failed; cached API keys expire by their TTL until it recovers",
				"err", err.Error())
		}
		return
	}
	if r.failed {
		r.failed = false
		slog.Default().InfoContext(ctx, "token: the revocation sequence is readable again")
	}
	if !r.known || seq != r.seq {
		// Unknown before (a first read, or entries cached while reads
		// failed) or moved: whatever is cached may be revoked.
		c.purge(func(*cacheEntry) bool { return true })
		r.seq, r.known = seq, true
	}
}

// bumpRevocations advances the shared sequence in ctx's transaction;
// without a sequence it does nothing.
func (s *Service) bumpRevocations(ctx context.Context) error {
	if s.bumps == nil {
		return nil
	}
	return s.bumps.BumpRevocations(ctx)
}
