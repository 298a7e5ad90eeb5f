package notify

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Config configures a Service. Store and Tx are required.
type Config struct {
	Store Store              // settings and watched apps
	Tx    storage.Transactor // runs each read-modify-write atomically
	// History receives an entry for each changed setting and for each app
	// watched or no longer watched, in the same transaction; nil records
	// nothing.
	History history.Appender
	Now     func() time.Time // stamps WatchedApp.Since; defaults to time.Now
	Rand    io.Reader        // history ids; defaults to crypto/rand.Reader
	// Owners resolves the profile of a caller's account (see
	// account.NewOwners); the self-service methods refuse every caller
	// without it.
	Owners auth.Owners
}

// Service manages notification settings and watched apps. Its
// self-service methods act on the caller's own profile, resolved through
// Config.Owners; a token or API key caller gets auth.ErrForbidden.
// Security notices (NoticeMessage) are not settings: they are always
// sent.
type Service struct {
	store  Store
	tx     storage.Transactor
	hist   history.Appender
	now    clock.Clock
	rand   io.Reader
	owners auth.Owners
}

// NewService returns a Service. It panics when Store or Tx is nil, a
// programming error.
func NewService(c Config) *Service {
	if c.Store == nil || c.Tx == nil {
		panic("notify: NewService needs Store and Tx")
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return &Service{store: c.Store, tx: c.Tx, hist: c.History, now: clock.New(c.Now), rand: c.Rand, owners: c.Owners}
}

// owner resolves the profile the caller acts on (auth.Profile).
func (s *Service) owner(ctx context.Context, c auth.Caller) (string, error) {
	if s.owners == nil {
		return "", fmt.Errorf("notify: Config.Owners is not set: %w", auth.ErrForbidden)
	}
	return auth.Profile(ctx, s.owners, c)
}

// record appends the entries to the history in ctx's transaction, when
// the Service has one.
func (s *Service) record(ctx context.Context, entries ...history.Entry) error {
	if s.hist == nil || len(entries) == 0 {
		return nil
	}
	if err := history.Append(ctx, s.hist, s.rand, entries...); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

func checkID(field, v string) error {
	if err := checkText(field, v, MaxIDLen); err != nil {
		return err
	}
	if strings.TrimSpace(v) != v {
		return &InputError{Field: field, Reason: "invalid_characters"}
	}
	return nil
}

// Settings returns the caller's notification settings, or Defaults when
// the profile never saved any.
func (s *Service) Settings(ctx context.Context, c auth.Caller) (Settings, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return Settings{}, err
	}
	return s.settings(ctx, profileID)
}

func (s *Service) settings(ctx context.Context, profileID string) (Settings, error) {
	got, ok, err := s.store.NotificationSettings(ctx, profileID)
	if err != nil {
		return Settings{}, fmt.Errorf("notify: reading settings: %w", err)
	}
	if !ok {
		return Defaults(profileID), nil
	}
	return got, nil
}

// Update changes the settings named by u, leaves the others as they were,
// of the caller's profile and returns the result; each changed setting
// is recorded in the history with the caller's account, in the same
// transaction. An Update with no field set changes nothing.
func (s *Service) Update(ctx context.Context, c auth.Caller, u Update) (Settings, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return Settings{}, err
	}
	if u.DailyDigest == nil && u.ThreadUpdates == nil {
		return s.settings(ctx, profileID)
	}
	var out Settings
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.settings(ctx, profileID)
		if err != nil {
			return err
		}
		out = u.apply(cur)
		if err := s.store.SaveNotificationSettings(ctx, out); err != nil {
			return fmt.Errorf("notify: saving settings: %w", err)
		}
		return s.record(ctx, settingChanges(profileID, c.AccountID, cur, out, s.now())...)
	})
	if err != nil {
		return Settings{}, err
	}
	return out, nil
}

// Watch makes the caller's profile watch the app, as the host's "My
// Apps" does, and records it in the history. Watching an app already
// watched changes nothing (its Since stays). appName is trimmed. It
// returns an *InputError.
func (s *Service) Watch(ctx context.Context, c auth.Caller, appID, appName string) error {
	appName = strings.TrimSpace(appName)
	if err := errors.Join(checkID("app_id", appID), checkText("app_name", appName, MaxAppNameLen)); err != nil {
		return firstInputError(err)
	}
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return err
	}
	w := WatchedApp{ProfileID: profileID, AppID: appID, AppName: appName, Since: s.now()}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		added, err := s.store.WatchApp(ctx, w)
		if err != nil {
			return fmt.Errorf("notify: watching app: %w", err)
		}
		if !added {
			return nil
		}
		return s.record(ctx, history.Entry{ProfileID: profileID, AccountID: c.AccountID, Item: "watched_app", Action: history.ActionAdded, Detail: appID, At: w.Since})
	})
}

// settingChanges returns one history entry per setting that differs
// between before and after.
func settingChanges(profileID, accountID string, before, after Settings, at time.Time) []history.Entry {
	var out []history.Entry
	for _, c := range []struct {
		item   string
		before bool
		after  bool
	}{
		{"buzz_daily_digest", before.DailyDigest, after.DailyDigest},
		{"buzz_thread_updates", before.ThreadUpdates, after.ThreadUpdates},
	} {
		if c.before != c.after {
			out = append(out, history.Entry{ProfileID: profileID, AccountID: accountID, Item: c.item, Action: history.ActionSet, Detail: fmt.Sprint(c.after), At: at})
		}
	}
	return out
}

// firstInputError returns the first *InputError joined in err.
func firstInputError(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()[0]
	}
	return err
}

// StopWatching ends the caller's profile's watch of the app ("Stop
// Watching") and records it in the history. Stopping an app that is not
// watched is not an error. It returns an *InputError for an invalid app
// ID.
func (s *Service) StopWatching(ctx context.Context, c auth.Caller, appID string) error {
	if err := checkID("app_id", appID); err != nil {
		return err
	}
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		removed, err := s.store.UnwatchApp(ctx, profileID, appID)
		if err != nil {
			return fmt.Errorf("notify: stop watching app: %w", err)
		}
		if !removed {
			return nil
		}
		return s.record(ctx, history.Entry{ProfileID: profileID, AccountID: c.AccountID, Item: "watched_app", Action: history.ActionRemoved, Detail: appID, At: s.now()})
	})
}

// WatchedApps lists the apps the caller's profile watches, oldest watch
// first.
func (s *Service) WatchedApps(ctx context.Context, c auth.Caller) ([]WatchedApp, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return nil, err
	}
	apps, err := s.store.WatchedApps(ctx, profileID)
	if err != nil {
		return nil, fmt.Errorf("notify: listing watched apps: %w", err)
	}
	return apps, nil
}

// WatchedAppsOf lists the apps the profile watches, oldest watch first,
// for the host's own code: its API behind a token (the apps a token's
// principal works on, decided by the host's own scopes) and its jobs. It
// checks no caller and is not a self-service operation; a person's
// settings page uses WatchedApps. It returns an *InputError for an
// invalid profile ID.
func (s *Service) WatchedAppsOf(ctx context.Context, profileID string) ([]WatchedApp, error) {
	if err := checkID("profile_id", profileID); err != nil {
		return nil, err
	}
	apps, err := s.store.WatchedApps(ctx, profileID)
	if err != nil {
		return nil, fmt.Errorf("notify: listing watched apps: %w", err)
	}
	return apps, nil
}

// WantsThreadUpdates reports whether the profile wants updates for the
// Buzz threads it is active in (true unless it switched them off). It
// returns an *InputError for an invalid profile ID. It is for the host's
// mail job, not a self-service operation: it checks no caller.
func (s *Service) WantsThreadUpdates(ctx context.Context, profileID string) (bool, error) {
	if err := checkID("profile_id", profileID); err != nil {
		return false, err
	}
	st, err := s.settings(ctx, profileID)
	if err != nil {
		return false, err
	}
	return st.ThreadUpdates, nil
}

// errStop ends EachDigestSubscriber when the consumer breaks its loop.
var errStop = errors.New("notify: iteration stopped")

// DigestSubscribers iterates over the IDs of the profiles that want the
// daily digest, in ascending order, reading them from the store as the
// loop goes rather than collecting them all. A store error is yielded once
// with an empty ID and ends the iteration:
//
//	for id, err := range svc.DigestSubscribers(ctx) {
//		if err != nil {
//			return err
//		}
//		sendDigest(id)
//	}
//
// The loop body must not use the store inside a transaction of the same
// store (see Store.EachDigestSubscriber).
func (s *Service) DigestSubscribers(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		err := s.store.EachDigestSubscriber(ctx, func(id string) error {
			if !yield(id, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield("", fmt.Errorf("notify: listing digest subscribers: %w", err))
		}
	}
}
