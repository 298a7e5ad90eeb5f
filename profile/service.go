package profile

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// ErrNotFound means the profile does not exist or, for the public view,
// is private: both look the same. It also matches storage.ErrNotFound.
var ErrNotFound = storage.NotFound("profile: not found")

// Config configures a Service. Store, Tx and History are required; the
// other fields default as documented.
type Config struct {
	Store   Store              // profiles, avatars and progress
	Tx      storage.Transactor // runs each read-modify-write atomically
	History history.Writer     // receives one entry per changed field; erased with the profile
	Now     func() time.Time   // defaults to time.Now
	// Owners resolves the profile of a caller's account (see
	// account.NewOwners); the self-service methods refuse every caller
	// without it.
	Owners auth.Owners
	// FreshFor is how recent a sign-in must be to set the recovery email;
	// 0 means auth.DefaultFreshFor.
	FreshFor time.Duration
	// Codes sends and checks the codes that verify a new recovery email
	// (purpose verification.PurposeRecoveryEmail); without it setting a
	// recovery email fails with ErrRecoveryUnavailable (clearing works).
	Codes *verification.Service
	// Notices tells the previous recovery email that it was replaced or
	// removed; nil sends no notices.
	Notices *notify.Notifier
	// SecurityLog records recovery email changes in the transaction of
	// the change; nil records nothing.
	SecurityLog *securitylog.Log
	// AvatarLimits bound the memory and concurrency of avatar decoding;
	// the zero value means the process-wide defaults
	// (DefaultAvatarDecodeBytes, DefaultAvatarConcurrency).
	AvatarLimits AvatarLimits
	Rand         io.Reader // for ids; defaults to crypto/rand.Reader
}

// Service edits profiles under the rules of this package. It does not
// check who may edit a profile: the caller passes the acting account,
// which it has authenticated and found linked to the profile, and the
// Service records it in the change history.
type Service struct {
	store Store
	tx    storage.Transactor
	hist  history.Writer
	now   clock.Clock
	rand  io.Reader
	// avatars checks uploads; nil means the shared checker.
	avatars  *AvatarChecker
	owners   auth.Owners
	freshFor time.Duration
	codes    *verification.Service
	notices  *notify.Notifier
	seclog   *securitylog.Log
}

// NewService returns a Service. It panics when Store, Tx or History is
// nil, a programming error.
func NewService(c Config) *Service {
	if c.Store == nil || c.Tx == nil || c.History == nil {
		panic("profile: NewService needs Store, Tx and History")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	s := &Service{store: c.Store, tx: c.Tx, hist: c.History, now: clock.New(c.Now), rand: c.Rand,
		owners: c.Owners, freshFor: c.FreshFor, codes: c.Codes, notices: c.Notices, seclog: c.SecurityLog}
	if c.AvatarLimits != (AvatarLimits{}) {
		s.avatars = NewAvatarChecker(c.AvatarLimits)
	}
	return s
}

// Create stores a new, empty, private profile with a fresh "prf_" id. Call
// it inside the caller's transaction (account sign-up) to create the
// profile together with its first account.
func (s *Service) Create(ctx context.Context) (Profile, error) {
	pid, err := id.New(s.rand, "prf_")
	if err != nil {
		return Profile{}, fmt.Errorf("profile: create: %w", err)
	}
	now := s.now()
	p := Profile{ID: pid, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateProfile(ctx, p); err != nil {
		return Profile{}, fmt.Errorf("profile: create: %w", err)
	}
	return p, nil
}

// Get returns the caller's own profile, private fields included. It
// returns an error matching auth.ErrForbidden for a token or API key, or
// an account that is not active.
func (s *Service) Get(ctx context.Context, c auth.Caller) (Profile, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return Profile{}, err
	}
	p, err := s.store.Profile(ctx, profileID)
	return p, wrap(err)
}

// owner resolves the profile the caller acts on (auth.Profile).
func (s *Service) owner(ctx context.Context, c auth.Caller) (string, error) {
	if s.owners == nil {
		return "", fmt.Errorf("profile: Config.Owners is not set: %w", auth.ErrForbidden)
	}
	return auth.Profile(ctx, s.owners, c)
}

// sensitive checks, for an update, what needs a fresh sign-in: the
// recovery email, which can receive merge codes and password resets.
func (s *Service) sensitive(c auth.Caller, u Update) error {
	if u.RecoveryEmail != nil {
		return c.Fresh(s.now(), s.freshFor)
	}
	return nil
}

// wrap turns a storage "not found" into ErrNotFound.
func wrap(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// Update applies a partial change. Every set field is validated; a
// *ValidationError names all bad fields and nothing changes. An update
// that would leave a public profile incomplete (or make an incomplete
// profile public) is refused with an *IncompleteError, unless the same
// update makes the profile private. Each changed field is recorded in the
// history, in the same transaction. It acts on the caller's own profile
// only; setting, changing or clearing the recovery email needs a fresh
// sign-in (auth.ErrReauthenticationRequired). A new recovery email does
// not take effect at once: it becomes PendingRecoveryEmail and a code is
// sent to it (purpose verification.PurposeRecoveryEmail, in the same
// transaction; a *errs.RetryError changes nothing) until
// ConfirmRecoveryEmail; the verified address stays meanwhile. Clearing it
// ("") removes both, is recorded in the security log and tells the
// removed address. It returns the stored profile.
func (s *Service) Update(ctx context.Context, c auth.Caller, u Update) (Profile, error) {
	if err := s.sensitive(c, u); err != nil {
		return Profile{}, err
	}
	return s.modify(ctx, c, u, nil)
}

// MakePublic lets the community see the caller's profile. It fails with
// an *IncompleteError listing everything that is missing. Making a public
// profile public again changes nothing.
func (s *Service) MakePublic(ctx context.Context, c auth.Caller) (Profile, error) {
	return s.Update(ctx, c, Update{Public: new(true)})
}

// MakePrivate hides the caller's profile from the community.
func (s *Service) MakePrivate(ctx context.Context, c auth.Caller) (Profile, error) {
	return s.Update(ctx, c, Update{Public: new(false)})
}

// modify runs one read-modify-write of the caller's profile fields in a
// transaction, with the public-profile rule, the history entries and, when
// u names the recovery email, its verification (see recovery). cond, when
// not nil, may refuse the stored profile before anything changes.
func (s *Service) modify(ctx context.Context, c auth.Caller, u Update, cond func(Profile) error) (Profile, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return Profile{}, err
	}
	var (
		out     Profile
		cleared string // a verified recovery email the update cleared
	)
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		old, err := s.store.Profile(ctx, profileID)
		if err != nil {
			return wrap(err)
		}
		if cond != nil {
			if err := cond(old); err != nil {
				return err
			}
		}
		p, err := u.applyTo(old)
		if err != nil {
			return err
		}
		step := recoveryStepNone
		if u.RecoveryEmail != nil {
			p, step = recovery(old, p)
		}
		if err := checkPublic(p); err != nil {
			return err
		}
		changes := diff(old, p)
		out = old
		if len(changes) > 0 {
			p.UpdatedAt = s.now()
			if err := s.store.UpdateProfile(ctx, p); err != nil {
				return wrap(err)
			}
			out = p
			if err := s.record(ctx, c.AccountID, profileID, p.UpdatedAt, changes); err != nil {
				return err
			}
		}
		if old.RecoveryEmail != "" && p.RecoveryEmail == "" {
			cleared = old.RecoveryEmail
			ev := securitylog.FromCaller(securitylog.RecoveryEmailChanged, profileID, c)
			ev.Detail = "recovery email removed"
			if err := s.seclog.Record(ctx, ev); err != nil {
				return err
			}
			if err := s.notices.Queue(ctx, notify.Notice{Kind: notify.NoticeRecoveryEmailChanged, At: s.now()}, cleared); err != nil {
				return err
			}
		}
		return s.verifyStep(ctx, step, profileID, p.PendingRecoveryEmail)
	})
	if err != nil {
		return Profile{}, err
	}
	return out, nil
}

// record appends one history entry per change.
func (s *Service) record(ctx context.Context, accountID, profileID string, at time.Time, changes []change) error {
	entries := make([]history.Entry, len(changes))
	for i, c := range changes {
		entries[i] = history.Entry{ProfileID: profileID, AccountID: accountID, Item: c.item, Action: c.action, Detail: c.detail, At: at}
	}
	if err := history.Append(ctx, s.hist, s.rand, entries...); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	return nil
}

// PublicView returns what the community may see of the profile. A private
// profile and a missing one both give ErrNotFound.
func (s *Service) PublicView(ctx context.Context, profileID string) (PublicProfile, error) {
	var out PublicProfile
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		p, err := s.store.Profile(ctx, profileID)
		if err != nil {
			return wrap(err)
		}
		if !p.Public {
			return ErrNotFound
		}
		pr, err := s.store.Progress(ctx, profileID)
		if err != nil {
			return wrap(err)
		}
		out = publicView(p, pr)
		return nil
	})
	return out, err
}

// Delete deletes the profile with its avatar, progress and change
// history. It returns ErrNotFound.
func (s *Service) Delete(ctx context.Context, profileID string) error {
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.hist.DeleteHistoryOfProfile(ctx, profileID); err != nil {
			return err
		}
		return wrap(s.store.DeleteProfile(ctx, profileID))
	})
}
