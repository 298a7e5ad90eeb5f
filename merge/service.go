package merge

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/ratelimit"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// DefaultFlowTTL is how long a merge flow lives when Config.FlowTTL is 0.
const DefaultFlowTTL = 30 * time.Minute

// ErrFlowNotFound means there is no such flow for the signed-in account:
// unknown, or started by someone else (the same answer, so flow ids of
// others cannot be probed). It also matches storage.ErrNotFound, so a
// caller that answers every "not found" alike needs no merge case; a
// caller that must tell it apart checks it first.
var ErrFlowNotFound = storage.NotFound("merge: flow not found")

// Errors of the Service. Check them with errors.Is.
var (
	// ErrFlowExpired means the flow's time (Config.FlowTTL) is up.
	ErrFlowExpired = errs.New(errs.Expired, "flow_expired", "merge: flow expired")
	// ErrFlowInvalid means the flow is not in the state the step needs
	// (a code must be sent before it is verified, verified before the
	// merge is committed, and a done or cancelled flow goes nowhere).
	ErrFlowInvalid = errs.New(errs.Conflict, "flow_invalid", "merge: flow is not at this step")
	// ErrProfileChanged means one of the two profiles changed, was merged
	// elsewhere or deleted since the code was verified; nothing was
	// merged. Start again to see a new preview.
	ErrProfileChanged = errs.New(errs.Conflict, "profile_changed", "merge: a profile changed since the merge was previewed")
	// ErrSameProfile means the address belongs to the signed-in profile.
	ErrSameProfile = errs.New(errs.Invalid, "same_profile", "merge: the address belongs to the signed-in profile")
	// ErrInactive means the signed-in account is unknown or not active.
	ErrInactive = errs.New(errs.Forbidden, "forbidden", "merge: the signed-in account is not active")
	// ErrInvalidEmail means the address given to Start is not an email
	// address.
	ErrInvalidEmail = errs.New(errs.Invalid, "invalid_email", "merge: invalid email address")
	// ErrInvalidChoice means SendCode was given a choice other than
	// ChoiceTyped and ChoiceRecovery.
	ErrInvalidChoice = errs.New(errs.Invalid, "invalid_choice", "merge: no such address to send the code to")
	// ErrTooManyStarts is the refusal of Start when the person started
	// too many merges lately (Config.StartLimit). It is returned in an
	// *errs.RetryError that says how long to wait.
	ErrTooManyStarts = errs.New(errs.Throttled, "rate_limited", "merge: too many merges started")
)

// DefaultStartLimit is how many merges one person may start when
// Config.StartLimit is zero: 10 at once, then one more every 2 h 24 min,
// so about 10 a day.
var DefaultStartLimit = ratelimit.Limit{Burst: 10, Every: 24 * time.Hour / 10}

// Config configures a Service. Every store field and Codes are required;
// Notices may be nil (no merge notices); zero values of the other fields
// take the documented defaults. Each store field names the role the
// Service uses; one adapter (storage/memory, storage/sqlstore) fills them
// all.
type Config struct {
	// Accounts, Profiles, ProfileData, History and Notify are the stores
	// that own the data a merge reads and changes.
	Accounts    Accounts
	Profiles    Profiles
	ProfileData ProfileData
	History     History
	Notify      Notifications
	// SecurityEvents moves the other profile's security log to the
	// survivor; nil means History when it implements SecurityEvents (the
	// SDK's adapters do), else the log goes with the other profile.
	SecurityEvents SecurityEvents
	// Flows holds the flows; Expired deletes those whose time is up
	// (DeleteExpired).
	Flows   Flows
	Expired ExpiredFlows
	// Tx runs each step, and the whole commit, in one transaction.
	Tx storage.Transactor
	// Codes issues and redeems the codes (purpose verification.PurposeMerge).
	Codes *verification.Service
	// Notices sends the merge-completed notice to every account of the
	// merged profile after the commit; nil sends none.
	Notices *notify.Notifier
	// FlowTTL is how long a flow lives from Start; 0 means DefaultFlowTTL.
	FlowTTL time.Duration
	// FreshFor is how recent the caller's sign-in must be to start or
	// commit a merge; 0 means auth.DefaultFreshFor.
	FreshFor time.Duration
	// Limiter keeps the buckets of the start limit, shared by every
	// replica on one store (usersettings.New passes the store); nil
	// means merges starts are not limited.
	Limiter ratelimit.Limiter
	// StartLimit is how many merges one person (profile) may start; the
	// zero Limit means DefaultStartLimit, a Burst below zero none.
	StartLimit ratelimit.Limit
	// SecurityLog records each merge (securitylog.Merged) in the
	// transaction of the commit; nil records nothing.
	SecurityLog *securitylog.Log
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of flow and history ids; nil means
	// crypto/rand.Reader.
	Rand io.Reader
}

// Service runs the merge flow. It is safe for concurrent use.
//
// A merge is irreversible by design: the other profile is deleted with its
// personal data, its accounts belong to the surviving profile from then on,
// and no record is kept from which the profiles could be separated again.
type Service struct {
	accounts Accounts
	profiles Profiles
	data     ProfileData
	history  History
	events   SecurityEvents
	notify   Notifications
	flows    Flows
	expired  ExpiredFlows
	tx       storage.Transactor
	codes    *verification.Service
	notices  *notify.Notifier
	ttl      time.Duration
	freshFor time.Duration
	limiter  ratelimit.Limiter
	starts   ratelimit.Limit
	seclog   *securitylog.Log
	now      clock.Clock
	rand     io.Reader
}

// NewService returns a Service for c. It panics when a required dependency
// is nil, a programming error.
func NewService(c Config) *Service {
	if c.Accounts == nil || c.Profiles == nil || c.ProfileData == nil || c.History == nil ||
		c.Notify == nil || c.Flows == nil || c.Expired == nil || c.Tx == nil || c.Codes == nil {
		panic("merge: NewService needs Accounts, Profiles, ProfileData, History, Notify, Flows, Expired, Tx and Codes")
	}
	s := &Service{
		accounts: c.Accounts, profiles: c.Profiles, data: c.ProfileData, history: c.History,
		notify: c.Notify, flows: c.Flows, expired: c.Expired, tx: c.Tx, codes: c.Codes, notices: c.Notices,
		ttl: c.FlowTTL, freshFor: c.FreshFor, limiter: c.Limiter, starts: c.StartLimit, seclog: c.SecurityLog,
		now: clock.New(c.Now), rand: c.Rand, events: c.SecurityEvents,
	}
	if s.events == nil {
		s.events, _ = c.History.(SecurityEvents)
	}
	if s.starts == (ratelimit.Limit{}) {
		s.starts = DefaultStartLimit
	}
	if s.ttl <= 0 {
		s.ttl = DefaultFlowTTL
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

// DeleteExpired deletes the flows whose time is up, in any state, and
// returns how many it deleted. Run it periodically: it is what removes
// the addresses that abandoned flows hold.
func (s *Service) DeleteExpired(ctx context.Context) (int, error) {
	n, err := s.expired.DeleteExpiredMergeFlows(ctx, s.now())
	if err != nil {
		return n, fmt.Errorf("merge: deleting expired flows: %w", err)
	}
	return n, nil
}

// signedIn returns the signed-in account, or ErrInactive when it is
// unknown or not active.
func (s *Service) signedIn(ctx context.Context, accountID string) (account.Account, error) {
	a, err := s.accounts.Account(ctx, accountID)
	if errors.Is(err, storage.ErrNotFound) && ctx.Err() == nil {
		return a, ErrInactive
	}
	if err != nil {
		return a, fmt.Errorf("merge: reading account: %w", err)
	}
	if a.Status != account.StatusActive {
		return a, ErrInactive
	}
	return a, nil
}

// flow returns the flow if it belongs to the caller, a person whose
// account is active, is not expired and is in one of the states want. It
// checks the caller first.
func (s *Service) flow(ctx context.Context, c auth.Caller, flowID string, want ...State) (Record, error) {
	r, _, err := s.flowOf(ctx, c, flowID, want...)
	return r, err
}

// flowOf is flow that also returns the caller's account.
func (s *Service) flowOf(ctx context.Context, c auth.Caller, flowID string, want ...State) (Record, account.Account, error) {
	if err := c.Person(); err != nil {
		return Record{}, account.Account{}, err
	}
	accountID := c.AccountID
	me, err := s.signedIn(ctx, accountID)
	if err != nil {
		return Record{}, me, err
	}
	r, err := s.flowRecord(ctx, accountID, flowID, want)
	return r, me, err
}

// flowRecord returns the flow flowID of the account in one of the states
// want, as flow describes.
func (s *Service) flowRecord(ctx context.Context, accountID, flowID string, want []State) (Record, error) {
	r, err := s.flows.MergeFlow(ctx, flowID)
	if errors.Is(err, storage.ErrNotFound) && ctx.Err() == nil {
		return r, ErrFlowNotFound
	}
	if err != nil {
		return r, fmt.Errorf("merge: reading flow: %w", err)
	}
	if r.AccountID != accountID {
		return Record{}, ErrFlowNotFound
	}
	if r.State == StateObsolete {
		return r, ErrProfileChanged
	}
	if !r.State.live() || !inStates(r.State, want) {
		return r, ErrFlowInvalid
	}
	if !s.now().Before(r.ExpiresAt) {
		return r, ErrFlowExpired
	}
	return r, nil
}

func inStates(s State, want []State) bool {
	for _, w := range want {
		if s == w {
			return true
		}
	}
	return false
}

// advance moves the flow from state from to r.State.
func (s *Service) advance(ctx context.Context, r Record, from State) error {
	r.UpdatedAt = s.now()
	err := s.flows.UpdateMergeFlow(ctx, r, from)
	if errors.Is(err, storage.ErrConflict) && ctx.Err() == nil {
		return ErrFlowInvalid // a concurrent step moved it first
	}
	if err != nil {
		return fmt.Errorf("merge: updating flow: %w", err)
	}
	return nil
}
