package verification

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Defaults of Config.
const (
	DefaultTTL         = 10 * time.Minute
	DefaultMaxAttempts = 5
	// DefaultBurst codes of one purpose may go to one address within
	// DefaultWindow.
	DefaultBurst  = 3
	DefaultWindow = 10 * time.Minute
	// DefaultMaxPerHour caps the codes of one purpose to one address in
	// any hour.
	DefaultMaxPerHour = 5
)

// CodeLen is the number of decimal digits of a code.
const CodeLen = 6

// defaultKey is the HMAC key used when the host sets none. It only
// separates the digests of this package from other uses of SHA-256; it is
// public, so it does not stop an offline search of the million codes.
var defaultKey = []byte("usersettings/verification/v1: default key, set Config.Key")

// Config configures a Service. Store, Tx and Mailer are required; zero
// values of the other fields take the documented defaults.
type Config struct {
	// Store keeps codes, attempt counters and the send log.
	Store Store
	// Tx runs the throttle check, the send record and the new code in one
	// transaction, and Redeem's consumption with the caller's action.
	Tx storage.Transactor
	// Mailer delivers the codes. A notify.Enqueuer (such as
	// *notify.Courier, which usersettings.New passes) queues each code's
	// mail in the transaction that stores the code; see Issue.
	Mailer notify.Mailer
	// Key is the HMAC-SHA-256 key of the code digests. Hosts should set
	// it: 32 random bytes kept outside the database, so that a leaked
	// database does not let anyone test the 10^6 possible codes offline.
	// Nil means a fixed, public domain-separation key.
	Key []byte
	// OldKeys are keys that Key replaced: codes issued under them are
	// still checked, so a key rotates without failing codes in flight.
	OldKeys [][]byte
	// TTL is how long a code stays valid; 0 means DefaultTTL.
	TTL time.Duration
	// MaxAttempts is how many tries a code allows; 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// Burst is how many codes of one purpose may go to one address
	// within Window; 0 means DefaultBurst, negative means no limit per
	// purpose. Each purpose has its own: a merge code right after a
	// sign-up code goes out at once.
	Burst int
	// Window is the time Burst counts over; 0 means DefaultWindow.
	Window time.Duration
	// MaxPerHour caps the codes of one purpose sent to one address in
	// any hour; 0 means DefaultMaxPerHour, negative means no cap. Each
	// purpose has its own cap, so that sign-up requests for an address
	// never hold back its password resets.
	MaxPerHour int
	// Link returns the absolute address of the page that takes the key
	// of a code of a Keyed purpose (a password reset page with the key
	// in its query, say), for its mail. Nil, or "" for a purpose, puts
	// the key itself in the mail.
	Link func(purpose Purpose, key string) string
	// Language gives the language of the profile an address belongs to:
	// a code mail is written in it, else in the language the context
	// carries (notify.WithLanguage), else in English. Nil knows no
	// profile.
	Language notify.LanguageFunc
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of codes and ids; nil means crypto/rand.Reader.
	Rand io.Reader
}

// Service issues, checks and consumes one-time codes. It is safe for
// concurrent use.
type Service struct {
	store       Store
	tx          storage.Transactor
	mailer      notify.Mailer
	key         []byte
	oldKeys     [][]byte
	ttl         time.Duration
	maxAttempts int
	burst       int
	window      time.Duration
	maxPerHour  int
	link        func(Purpose, string) string
	language    notify.LanguageFunc
	now         clock.Clock
	rand        io.Reader
}

// NewService returns a Service for c. It panics when Store, Tx or Mailer
// is nil, a programming error.
func NewService(c Config) *Service {
	if c.Store == nil || c.Tx == nil || c.Mailer == nil {
		panic("verification: NewService needs Store, Tx and Mailer")
	}
	s := &Service{
		store: c.Store, tx: c.Tx, mailer: c.Mailer, key: c.Key, oldKeys: c.OldKeys,
		ttl: c.TTL, maxAttempts: c.MaxAttempts, burst: c.Burst, window: c.Window,
		maxPerHour: c.MaxPerHour, link: c.Link, language: c.Language, now: clock.New(c.Now), rand: c.Rand,
	}
	if len(s.key) == 0 {
		s.key = defaultKey
	}
	s.key = append([]byte(nil), s.key...)
	if s.ttl <= 0 {
		s.ttl = DefaultTTL
	}
	if s.maxAttempts <= 0 {
		s.maxAttempts = DefaultMaxAttempts
	}
	if s.burst == 0 {
		s.burst = DefaultBurst
	}
	if s.window <= 0 {
		s.window = DefaultWindow
	}
	if s.maxPerHour == 0 {
		s.maxPerHour = DefaultMaxPerHour
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

// TTL returns how long a code stays valid.
func (s *Service) TTL() time.Duration { return s.ttl }

// Issue creates a new code for the purpose and flow, replacing any earlier
// code of that flow, and mails it to address (a normalised email
// address). The throttle of the address is checked and the send recorded
// in the same transaction as the new code. When the Mailer is a
// notify.Enqueuer (a *notify.Courier), the mail is queued in that
// transaction too, so the code and its mail are kept together or not at
// all and Issue never waits for a mail server; any other Mailer is called
// after the commit. It returns a *errs.RetryError (matching
// ErrThrottled) when the address got a code of the purpose too recently
// or too often, and changes nothing then: a throttled request never
// replaces the live code of the flow, so a code already mailed stays
// good however many others are asked for.
//
// One exception keeps a stranger from locking the owner of an address
// out: when the flow's code has expired or was used, a new code goes out
// even over the limits, so the mailbox of a flow under attack gets at
// most one extra code per TTL (and one per use, which needs the mailbox)
// and its owner always finds a live code within a TTL. Codes checked wrongly too often stay dead until they expire, so
// the guesses on one flow stay bounded by MaxAttempts per TTL.
func (s *Service) Issue(ctx context.Context, purpose Purpose, flowID, address string) error {
	return s.IssueNote(ctx, purpose, flowID, address, "")
}

// IssueNote is Issue with a note in the mail, after what the code
// confirms: for instance which accounts a password reset through a
// recovery email is for. The note must hold no secret; notify.CodeNote
// says how it is cleaned.
func (s *Service) IssueNote(ctx context.Context, purpose Purpose, flowID, address, note string) error {
	return s.IssueNoteFunc(ctx, purpose, flowID, address, func(context.Context) string { return note })
}

// IssueNoteFunc is IssueNote with a note written in the mail's language,
// the recipient's (Config.Language): note is called with a context that
// carries it (notify.WithLanguage), so that notify.Sprintf in note writes
// the words the rest of the mail is in, whatever the caller's language.
func (s *Service) IssueNoteFunc(ctx context.Context, purpose Purpose, flowID, address string, note func(ctx context.Context) string) error {
	code, c, err := s.draft(purpose, flowID, address)
	if err != nil {
		return err
	}
	lang, err := s.language.For(ctx, address)
	if err != nil {
		return fmt.Errorf("verification: composing mail: %w", err)
	}
	m := notify.CodeMail{To: address, Purpose: string(purpose), Code: code, TTL: s.ttl,
		Note: note(notify.WithLanguage(ctx, lang)), Language: lang}
	if purpose.Keyed() {
		m.Key = keyOf(s.key, purpose, flowID, c.ID)
		if s.link != nil {
			m.Link = s.link(purpose, m.Key)
		}
	}
	msg, err := m.Message()
	if err != nil {
		return fmt.Errorf("verification: composing mail: %w", err)
	}
	queue, durable := s.mailer.(notify.Enqueuer)
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.admit(ctx, c); err != nil {
			return err
		}
		if err := s.store.PutCode(ctx, c); err != nil {
			return err
		}
		if durable {
			if err := queue.Enqueue(ctx, msg); err != nil {
				return &mailError{err}
			}
		}
		return nil
	})
	var me *mailError
	switch {
	case errors.As(err, &me):
		return fmt.Errorf("verification: queueing code: %w", me.err)
	case errors.Is(err, ErrThrottled):
		return err
	case err != nil:
		return fmt.Errorf("verification: storing code: %w", err)
	case durable:
		return nil
	}
	if err := s.mailer.Send(ctx, msg); err != nil {
		return fmt.Errorf("verification: sending code: %w", err)
	}
	return nil
}

// draft returns a new code for the purpose, flow and address and the
// record that stores it (its digest, never the code), created now and
// expiring after the TTL.
func (s *Service) draft(purpose Purpose, flowID, address string) (string, Code, error) {
	if purpose == "" || flowID == "" || address == "" {
		return "", Code{}, fmt.Errorf("verification: issue: %w", ErrMissingArgument)
	}
	code, err := newCode(s.rand)
	if err != nil {
		return "", Code{}, err
	}
	cid, err := id.New(s.rand, "vc_")
	if err != nil {
		return "", Code{}, fmt.Errorf("verification: issue: %w", err)
	}
	now := s.now()
	return code, Code{
		ID: cid, Purpose: purpose, FlowID: flowID, Address: address,
		Digest: s.digest(purpose, flowID, code), CreatedAt: now, ExpiresAt: now.Add(s.ttl),
	}, nil
}

// admit applies the send throttle of c's purpose and address in ctx's
// transaction and records the send, with Issue's one exception: a flow
// whose code expired or was used gets its new code over the limits.
// IssueVoid admits alike, so a decoy flow is throttled exactly as a
// real one.
func (s *Service) admit(ctx context.Context, c Code) error {
	err := s.throttle(ctx, c.Purpose, c.Address, c.CreatedAt)
	if !errors.Is(err, ErrThrottled) {
		return err
	}
	ok, xerr := s.expired(ctx, c.Purpose, c.FlowID, c.CreatedAt)
	switch {
	case xerr != nil:
		return xerr
	case !ok:
		return err
	}
	return s.store.RecordSend(ctx, c.Address, c.Purpose, c.CreatedAt)
}

// expired reports whether the flow of the purpose holds a code that was
// used or expired before now, and so may get a new one over the send
// limits.
func (s *Service) expired(ctx context.Context, purpose Purpose, flowID string, now time.Time) (bool, error) {
	c, err := s.store.CodeOfFlow(ctx, purpose, flowID)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !c.UsedAt.IsZero() || !now.Before(c.ExpiresAt), nil
}

// mailError tells a failed enqueue apart from a failed store write in
// Issue's transaction.
type mailError struct{ err error }

func (e *mailError) Error() string { return e.err.Error() }
func (e *mailError) Unwrap() error { return e.err }

// Allow applies the send throttle of the purpose and address and
// records a send, as Issue does, for a mail that carries no code (for
// instance a notice that someone tried to sign up with an address that
// is already registered). Using it keeps the throttling of such
// addresses identical to that of addresses that get a code, so
// throttling reveals nothing. It returns a *errs.RetryError when the
// address is throttled.
func (s *Service) Allow(ctx context.Context, purpose Purpose, address string) error {
	if purpose == "" || address == "" {
		return fmt.Errorf("verification: allow: %w", ErrMissingArgument)
	}
	now := s.now()
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		return s.throttle(ctx, purpose, address, now)
	})
}

// throttle checks the send log of the address in ctx's transaction and
// records a send of the purpose at now when the limits allow it: at most
// burst sends of the purpose within the window, and maxPerHour of the
// purpose in any hour. Each purpose counts alone.
func (s *Service) throttle(ctx context.Context, purpose Purpose, address string, now time.Time) error {
	var wait time.Duration
	if s.maxPerHour > 0 {
		sends, err := s.store.PurposeSendsSince(ctx, address, purpose, now.Add(-time.Hour))
		if err != nil {
			return err
		}
		wait = waitFor(sends, s.maxPerHour, time.Hour, now)
	}
	if s.burst > 0 {
		sends, err := s.store.PurposeSendsSince(ctx, address, purpose, now.Add(-s.window))
		if err != nil {
			return err
		}
		wait = max(wait, waitFor(sends, s.burst, s.window, now))
	}
	if wait > 0 {
		return errs.Retry(ErrThrottled, wait)
	}
	return s.store.RecordSend(ctx, address, purpose, now)
}

// waitFor returns how long after now one more send fits when at most n
// may fall within any window: sends are those within the last window,
// oldest first.
func waitFor(sends []time.Time, n int, window time.Duration, now time.Time) time.Duration {
	if len(sends) < n {
		return 0
	}
	return max(sends[len(sends)-n].Add(window).Sub(now), 0)
}

// newCode returns CodeLen decimal digits drawn uniformly from r: a 32-bit
// value is rejected and redrawn when it falls in the incomplete last
// block of 10^6, so every code is equally likely.
func newCode(r io.Reader) (string, error) {
	const n = 1_000_000
	const limit = (1 << 32) / n * n
	var b [4]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("verification: reading randomness: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); v < limit {
			return fmt.Sprintf("%06d", v%n), nil
		}
	}
}

// digest returns HMAC-SHA-256(key, purpose | flow | code), each part
// length-prefixed so no two triples share an input.
func (s *Service) digest(purpose Purpose, flowID, code string) []byte {
	return digestUnder(s.key, purpose, flowID, code)
}

// matches reports whether code's digest under the key or an old key is
// want. Every key is tried, so the time does not tell which one matched.
func (s *Service) matches(want []byte, purpose Purpose, flowID, code string) bool {
	ok := hmac.Equal(s.digest(purpose, flowID, code), want)
	for _, k := range s.oldKeys {
		ok = hmac.Equal(digestUnder(k, purpose, flowID, code), want) || ok
	}
	return ok
}

// digestUnder returns HMAC-SHA-256(key, purpose | flow | code).
func digestUnder(key []byte, purpose Purpose, flowID, code string) []byte {
	m := hmac.New(sha256.New, key)
	for _, part := range []string{string(purpose), flowID, code} {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(part)))
		m.Write(l[:])
		m.Write([]byte(part))
	}
	return m.Sum(nil)
}
