package personaldata

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// ErrNotFound means the profile does not exist. It also matches
// storage.ErrNotFound.
var ErrNotFound = storage.NotFound("personaldata: not found")

// DefaultTrackingSince is when the change history started by default: the
// seed's "since November 2018".
var DefaultTrackingSince = time.Date(2018, time.November, 1, 0, 0, 0, 0, time.UTC)

// Page sizes of History.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Scrubber is an optional capability of a storage adapter: after
// personal data was deleted, Scrub removes what the database keeps of it
// outside live rows (on SQLite, the write-ahead log). storage/sqlstore
// implements it.
type Scrubber interface {
	Scrub(ctx context.Context) error
}

// Config configures a Service. Tx, Profiles, Accounts, History and
// Sources are required; zero values of the other fields take the defaults
// named. One adapter, such as *memory.Store or *sqlstore.Store, serves as
// Tx, Profiles, Accounts and History.
type Config struct {
	Tx       storage.Transactor // one transaction for Collect and for Erase
	Profiles Profiles           // the profile, deleted last by Erase
	Accounts Accounts           // the accounts of the profile, deleted by Erase
	History  HistoryLog         // paged and streamed history
	// Sources collect and erase every kind of personal data; see
	// DefaultSources. Erase runs them in this order.
	Sources []Source
	// TrackingSince is when the host started to record changes; zero
	// means DefaultTrackingSince.
	TrackingSince time.Time
	// Scrubber runs after Erase committed; nil means Tx when it
	// implements Scrubber, else nothing.
	Scrubber Scrubber
	Now      func() time.Time // the clock; nil means time.Now
	// Owners resolves the profile of a caller's account (see
	// account.NewOwners); the self-service methods refuse every caller
	// without it.
	Owners auth.Owners
	// FreshFor is how recent a caller's sign-in must be to erase the
	// personal data; 0 means auth.DefaultFreshFor (one hour).
	FreshFor time.Duration
	// SecurityLog receives the admin event of AdminErase (given to its
	// hook; the stored copy is erased with the rest); nil records
	// nothing.
	SecurityLog *securitylog.Log
}

// Service shows, exports and erases the personal data of a person. Its
// self-service methods act on the caller's own profile, resolved through
// Config.Owners; a token or API key caller gets auth.ErrForbidden. It is
// safe for concurrent use.
type Service struct {
	tx       storage.Transactor
	profiles Profiles
	accounts Accounts
	history  HistoryLog
	sources  []Source
	since    time.Time
	scrubber Scrubber
	now      clock.Clock
	owners   auth.Owners
	freshFor time.Duration
	seclog   *securitylog.Log
}

// NewService returns a Service for c. It panics when a required field is
// missing, a programming error.
func NewService(c Config) *Service {
	if c.Tx == nil || c.Profiles == nil || c.Accounts == nil || c.History == nil || len(c.Sources) == 0 {
		panic("personaldata: NewService needs Tx, Profiles, Accounts, History and Sources")
	}
	s := &Service{
		tx: c.Tx, profiles: c.Profiles, accounts: c.Accounts, history: c.History,
		sources: append([]Source(nil), c.Sources...), since: c.TrackingSince,
		scrubber: c.Scrubber, now: clock.New(c.Now),
		owners: c.Owners, freshFor: c.FreshFor, seclog: c.SecurityLog,
	}
	if s.since.IsZero() {
		s.since = DefaultTrackingSince
	}
	if s.scrubber == nil {
		s.scrubber, _ = c.Tx.(Scrubber)
	}
	return s
}

// Deps are what DefaultSources builds the SDK's sources from. Profiles,
// Accounts, Codes, History and Notify are required (one adapter, such as
// *memory.Store or *sqlstore.Store, serves as all of them and as Merges);
// a nil Tokens, TwoFactor, Passkeys, Sessions or Merges leaves that source out, for
// hosts that do not use it.
type Deps struct {
	Profiles  Profiles
	Accounts  Accounts
	Codes     CodeLog
	History   HistoryLog
	Notify    Notifications
	Tokens    Tokens     // *token.Service
	TwoFactor TwoFactors // *twofactor.Service
	Passkeys  Passkeys   // *passkey.Service
	Sessions  Sessions   // *session.Service
	Merges    MergeFlows // the merge.Store
	// Mail is the durable mail outbox (the notify.OutboxStore); nil
	// leaves it out, for a host that sends no mail through a Courier.
	Mail MailLog
	// SecurityLog is the security log (the securitylog.Store); nil leaves
	// it out, for a host that keeps none.
	SecurityLog SecurityLog
	// Companies names the company of each account in the view; nil means
	// none has one.
	Companies account.CompanyResolver
	// Extra sources of the host, run after the SDK's.
	Extra []Source
}

// DefaultSources returns the sources of every package of the SDK that
// stores personal data, in erasure order: accounts, verification, mail,
// tokens, two-factor, passkeys, sessions, merges, notifications, history, security
// log, profile, then d.Extra. It panics when a required field of d is nil.
func DefaultSources(d Deps) []Source {
	out := []Source{
		AccountSource(d.Accounts, d.Companies),
		VerificationSource(d.Codes, d.Accounts, d.Profiles),
	}
	if d.Mail != nil {
		out = append(out, MailSource(d.Mail, d.Accounts, d.Profiles))
	}
	if d.Tokens != nil {
		out = append(out, TokenSource(d.Tokens))
	}
	if d.TwoFactor != nil {
		out = append(out, TwoFactorSource(d.TwoFactor))
	}
	if d.Passkeys != nil {
		out = append(out, PasskeySource(d.Passkeys))
	}
	if d.Sessions != nil {
		out = append(out, SessionSource(d.Sessions))
	}
	if d.Merges != nil {
		out = append(out, MergeSource(d.Merges))
	}
	out = append(out, NotifySource(d.Notify), HistorySource(d.History))
	if d.SecurityLog != nil {
		out = append(out, SecurityLogSource(d.SecurityLog))
	}
	out = append(out, ProfileSource(d.Profiles))
	return append(out, d.Extra...)
}

// Sources returns the service's sources.
func (s *Service) Sources() []Source { return append([]Source(nil), s.sources...) }

// TrackingSince returns when the change history started.
func (s *Service) TrackingSince() time.Time { return s.since }

// owner resolves the profile the caller acts on (auth.Profile).
func (s *Service) owner(ctx context.Context, c auth.Caller) (string, error) {
	if s.owners == nil {
		return "", fmt.Errorf("personaldata: Config.Owners is not set: %w", auth.ErrForbidden)
	}
	return auth.Profile(ctx, s.owners, c)
}

// person reads the profile's accounts; it returns ErrNotFound for an
// unknown profile.
func (s *Service) person(ctx context.Context, profileID string) (Person, error) {
	pr, err := s.profiles.Profile(ctx, profileID)
	if err != nil {
		return Person{}, notFound(err)
	}
	accts, err := s.accounts.AccountsOfProfile(ctx, profileID)
	if err != nil {
		return Person{}, fmt.Errorf("personaldata: listing accounts: %w", err)
	}
	p := Person{ProfileID: profileID, Accounts: accts, hasPassword: map[string]bool{},
		recovery: recoveryAddress{known: true, emails: recoveryAddresses(pr)}}
	for i := range p.Accounts {
		p.hasPassword[accts[i].ID] = accts[i].PasswordHash != ""
		p.Accounts[i].PasswordHash = ""
	}
	return p, nil
}

func notFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return ErrNotFound
	}
	return fmt.Errorf("personaldata: reading profile: %w", err)
}

// Collect returns everything stored about the caller's person (the
// caller's profile), read in one transaction, history included (oldest
// first). For a long history prefer ExportJSON or ExportZIP, which
// stream it, or History, which pages it.
func (s *Service) Collect(ctx context.Context, c auth.Caller) (View, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return View{}, err
	}
	return s.collect(ctx, profileID, true)
}

// collect runs every source in one transaction; the streamed history is
// left out unless withHistory.
func (s *Service) collect(ctx context.Context, profileID string, withHistory bool) (View, error) {
	var v View
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		p, err := s.person(ctx, profileID)
		if err != nil {
			return err
		}
		v = View{SchemaVersion: SchemaVersion, ExportedAt: s.now(), TrackingSince: s.since, History: []HistoryEntry{}}
		for _, src := range s.sources {
			if _, ok := src.(interface{ streamed() }); ok && !withHistory {
				continue
			}
			if err := src.Collect(ctx, p, &v); err != nil {
				return fmt.Errorf("personaldata: collecting %s: %w", src.Name(), err)
			}
		}
		return nil
	})
	if err != nil {
		return View{}, err
	}
	fillEmpty(&v)
	return v, nil
}

// fillEmpty turns nil lists into empty ones, so the JSON shows [] for a
// source that had nothing (or is not configured).
func fillEmpty(v *View) {
	v.Accounts = nonNilKeep(v.Accounts)
	v.CodesSent = nonNilKeep(v.CodesSent)
	v.Mail = nonNilKeep(v.Mail)
	v.TwoFactor = nonNilKeep(v.TwoFactor)
	v.Passkeys = nonNilKeep(v.Passkeys)
	v.Tokens = nonNilKeep(v.Tokens)
	v.APIKeys = nonNilKeep(v.APIKeys)
	v.Merges = nonNilKeep(v.Merges)
	v.Sessions = nonNilKeep(v.Sessions)
	v.SecurityLog = nonNilKeep(v.SecurityLog)
	v.Notifications.WatchedApps = nonNilKeep(v.Notifications.WatchedApps)
	v.Profile.Skills = nonNilKeep(v.Profile.Skills)
	v.Profile.Industries = nonNilKeep(v.Profile.Industries)
}

func nonNilKeep[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// History returns one page of the change history of the caller's
// profile, newest first. page counts from 1 (smaller means 1); pageSize
// ≤ 0 means DefaultPageSize and is capped at MaxPageSize.
func (s *Service) History(ctx context.Context, c auth.Caller, page, pageSize int) (HistoryPage, error) {
	profileID, err := s.owner(ctx, c)
	if err != nil {
		return HistoryPage{}, err
	}
	page = max(page, 1)
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}
	pageSize = min(pageSize, MaxPageSize)
	if _, err := s.profiles.Profile(ctx, profileID); err != nil {
		return HistoryPage{}, notFound(err)
	}
	list, err := s.history.History(ctx, profileID, (page-1)*pageSize, pageSize+1)
	if err != nil {
		return HistoryPage{}, fmt.Errorf("personaldata: reading history: %w", err)
	}
	out := HistoryPage{Page: page, PageSize: pageSize, Entries: make([]HistoryEntry, 0, min(len(list), pageSize))}
	if len(list) > pageSize {
		out.More, list = true, list[:pageSize]
	}
	for _, e := range list {
		out.Entries = append(out.Entries, historyEntry(e))
	}
	return out, nil
}
