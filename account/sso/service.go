package sso

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/internal/clock"
	"github.com/seed-a97ca23f/usersettings/internal/id"
	"github.com/seed-a97ca23f/usersettings/internal/seal"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Defaults of Config.
const (
	// DefaultFlowTTL is how long a started sign-in waits for the
	// provider's answer.
	DefaultFlowTTL = 10 * time.Minute
	// DefaultProviderTTL is how long a provider's discovery document is
	// cached in this process.
	DefaultProviderTTL = time.Hour
	// DefaultHTTPTimeout bounds each request to a provider when
	// Config.HTTPClient is nil.
	DefaultHTTPTimeout = 10 * time.Second
)

// KeySize is the length in bytes of each key of Config.Keys.
const KeySize = seal.KeySize

// Accounts is what the Service needs of the account service:
// *account.Service implements it.
type Accounts interface {
	// CreateFederated creates the account of a first sign-in; see
	// account.Service.
	CreateFederated(ctx context.Context, ident account.SSOIdentity) (account.Account, error)
	// LinkFederated binds a password account to the identity; see
	// account.Service.
	LinkFederated(ctx context.Context, accountID string, ident account.SSOIdentity) (account.Account, error)
	// UpdateFederatedEmail gives the account bound to the identity the
	// address its provider now asserts; see account.Service.
	UpdateFederatedEmail(ctx context.Context, accountID string, ident account.SSOIdentity) (account.Account, error)
}

// Sessions is what the Service needs of the session service:
// *session.Service implements it.
type Sessions interface {
	// LogOut ends every session of the account, for its identity
	// provider's back-channel logout, and returns how many it ended.
	LogOut(ctx context.Context, accountID string) (int, error)
	// LogOutProviderSession ends the sessions started in the provider's
	// session key (SignIn.ProviderSession), only those of accountID when
	// it is not empty, and returns how many it ended.
	LogOutProviderSession(ctx context.Context, key, accountID string) (int, error)
}

// Config configures a Service. Store, Accounts, Sessions and Keys are
// required; zero values of the other fields take the defaults named.
type Config struct {
	Store    Store
	Accounts Accounts
	Sessions Sessions
	// Keys seal the client secrets and the PKCE verifiers at rest, newest
	// first, each KeySize random bytes kept outside the database: the
	// first seals, all open.
	Keys [][]byte
	// RedirectURL is the host's callback URL, registered at every
	// provider (settingsd: https://host/v1/sso/callback). Without it
	// connections can be managed and resolve companies, but Start answers
	// ErrNotConfigured.
	RedirectURL string
	// HTTPClient talks to the providers; nil means a client with
	// DefaultHTTPTimeout.
	HTTPClient *http.Client
	// FlowTTL is how long a started sign-in lives; 0 means
	// DefaultFlowTTL.
	FlowTTL time.Duration
	// ProviderTTL is how long discovery documents are cached; 0 means
	// DefaultProviderTTL.
	ProviderTTL time.Duration
	// Tx runs the resolution of a sign-in (finding, creating or linking
	// the account) and its security event in one transaction; nil means
	// Store when it is a storage.Transactor (the SDK's adapters are).
	Tx storage.Transactor
	// SecurityLog records each sign-in (securitylog.SignedIn, Detail
	// "sso"); nil records none.
	SecurityLog *securitylog.Log
	Now         func() time.Time // the clock; nil means time.Now
	Rand        io.Reader        // source of ids, states and verifiers; nil means crypto/rand.Reader
}

// Service runs single sign-on: connections, sign-in with the
// authorization code flow, just-in-time accounts, linking and
// back-channel logout. It is safe for concurrent use.
type Service struct {
	st          Store
	accounts    Accounts
	sessions    Sessions
	keys        seal.Ring
	redirectURL string
	client      *http.Client
	flowTTL     time.Duration
	providers   *providers
	tx          storage.Transactor
	seclog      *securitylog.Log
	now         clock.Clock
	rand        io.Reader
}

// NewService returns a Service for c. It panics when a required field is
// missing or a key is not KeySize bytes, programming errors.
func NewService(c Config) *Service {
	if c.Store == nil || c.Accounts == nil || c.Sessions == nil {
		panic("sso: NewService needs Store, Accounts and Sessions")
	}
	keys, err := seal.NewRing(c.Keys...)
	if err != nil {
		panic("sso: NewService: " + err.Error())
	}
	s := &Service{
		st: c.Store, accounts: c.Accounts, sessions: c.Sessions, keys: keys,
		redirectURL: c.RedirectURL, client: c.HTTPClient, flowTTL: c.FlowTTL,
		now: clock.New(c.Now), rand: c.Rand, tx: c.Tx, seclog: c.SecurityLog,
	}
	if s.tx == nil {
		s.tx, _ = c.Store.(storage.Transactor)
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if s.flowTTL <= 0 {
		s.flowTTL = DefaultFlowTTL
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	ttl := c.ProviderTTL
	if ttl <= 0 {
		ttl = DefaultProviderTTL
	}
	s.providers = newProviders(ttl, s.client, s.now)
	return s
}

// secretAD binds a sealed client secret to its connection.
func secretAD(connectionID string) string { return "sso client secret " + connectionID }

// CreateConnection normalises and checks c (a *ConnectionError when it is
// wrong), seals its client secret and stores it. An empty ID gets a
// random one. It returns the stored connection, without its secret, or
// ErrDomainTaken when the ID or a domain belongs to another connection.
func (s *Service) CreateConnection(ctx context.Context, c Connection) (Connection, error) {
	c, err := Normalize(c)
	if err != nil {
		return Connection{}, err
	}
	if c.ID == "" {
		if c.ID, err = id.New(s.rand, "ssc_"); err != nil {
			return Connection{}, fmt.Errorf("sso: %w", err)
		}
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt = now, now
	r, err := s.record(c)
	if err != nil {
		return Connection{}, err
	}
	if err := s.st.CreateConnection(ctx, r); errors.Is(err, storage.ErrConflict) {
		return Connection{}, ErrDomainTaken
	} else if err != nil {
		return Connection{}, fmt.Errorf("sso: storing connection: %w", err)
	}
	return r.Connection, nil
}

// UpdateConnection replaces the connection with c's ID, like
// CreateConnection. It returns ErrUnknownConnection, a *ConnectionError
// or ErrDomainTaken.
func (s *Service) UpdateConnection(ctx context.Context, c Connection) (Connection, error) {
	c, err := Normalize(c)
	if err != nil {
		return Connection{}, err
	}
	old, err := s.load(ctx, c.ID)
	if err != nil {
		return Connection{}, err
	}
	c.CreatedAt, c.UpdatedAt = old.CreatedAt, s.now()
	r, err := s.record(c)
	if err != nil {
		return Connection{}, err
	}
	if err := s.st.UpdateConnection(ctx, r); errors.Is(err, storage.ErrConflict) {
		return Connection{}, ErrDomainTaken
	} else if errors.Is(err, storage.ErrNotFound) {
		return Connection{}, ErrUnknownConnection
	} else if err != nil {
		return Connection{}, fmt.Errorf("sso: storing connection: %w", err)
	}
	s.providers.forget(old.Issuer)
	return r.Connection, nil
}

// DeleteConnection deletes the connection: its addresses are no longer
// an SSO company's, its accounts are unbound (without a password, they
// get one through a password reset) and its pending sign-ins end. It
// returns ErrUnknownConnection.
func (s *Service) DeleteConnection(ctx context.Context, id string) error {
	old, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteConnection(ctx, id); errors.Is(err, storage.ErrNotFound) {
		return ErrUnknownConnection
	} else if err != nil {
		return fmt.Errorf("sso: deleting connection: %w", err)
	}
	s.providers.forget(old.Issuer)
	return nil
}

// Connection returns the connection without its secret, or
// ErrUnknownConnection.
func (s *Service) Connection(ctx context.Context, id string) (Connection, error) {
	r, err := s.load(ctx, id)
	return r.Connection, err
}

// Connections returns every connection without its secret, ordered by ID.
func (s *Service) Connections(ctx context.Context) ([]Connection, error) {
	rs, err := s.st.Connections(ctx)
	if err != nil {
		return nil, fmt.Errorf("sso: listing connections: %w", err)
	}
	out := make([]Connection, len(rs))
	for i, r := range rs {
		out[i] = r.Connection
	}
	return out, nil
}

// ConnectionFor returns the connection that owns the address's domain,
// or ErrUnknownConnection (ErrInvalidEmail for a malformed address). It
// depends on the domain only, so it tells nothing about accounts: a login
// page can use it to offer single sign-on.
func (s *Service) ConnectionFor(ctx context.Context, email string) (Connection, error) {
	r, err := s.byEmail(ctx, email)
	return r.Connection, err
}

func (s *Service) byEmail(ctx context.Context, email string) (Record, error) {
	email, err := account.NormalizeEmail(email)
	if err != nil {
		return Record{}, ErrInvalidEmail
	}
	r, err := s.st.ConnectionByDomain(ctx, domainOf(email))
	if errors.Is(err, storage.ErrNotFound) {
		return Record{}, ErrUnknownConnection
	}
	if err != nil {
		return Record{}, fmt.Errorf("sso: looking up connection: %w", err)
	}
	return r, nil
}

// load returns the stored connection, mapping "not found".
func (s *Service) load(ctx context.Context, id string) (Record, error) {
	r, err := s.st.Connection(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return Record{}, ErrUnknownConnection
	}
	if err != nil {
		return Record{}, fmt.Errorf("sso: loading connection: %w", err)
	}
	return r, nil
}

// record seals c's secret into the stored form.
func (s *Service) record(c Connection) (Record, error) {
	r := Record{Connection: c}
	if sec := c.ClientSecret.Reveal(); sec != "" {
		sealed, err := s.keys.Seal(s.rand, secretAD(c.ID), []byte(sec))
		if err != nil {
			return Record{}, fmt.Errorf("sso: sealing client secret: %w", err)
		}
		r.SealedSecret = sealed
	}
	r.ClientSecret = Secret{}
	return r, nil
}

// clientSecret opens the sealed secret of r.
func (s *Service) clientSecret(ctx context.Context, r Record) (string, error) {
	if len(r.SealedSecret) == 0 {
		return "", nil
	}
	plain, stale, err := s.keys.Open(secretAD(r.ID), r.SealedSecret)
	if err != nil {
		return "", fmt.Errorf("sso: opening the client secret of %s: %w", r.ID, err)
	}
	if stale {
		_, _ = s.reseal(ctx, r, plain) // best effort: the old key still opens it next time
	}
	return string(plain), nil
}

// reseal seals the connection's client secret again under the first key,
// when the stored secret is still old, and reports whether it did.
func (s *Service) reseal(ctx context.Context, r Record, plain []byte) (bool, error) {
	fresh, err := s.keys.Seal(s.rand, secretAD(r.ID), plain)
	if err != nil {
		return false, fmt.Errorf("sso: sealing the client secret of %s: %w", r.ID, err)
	}
	done := false
	err = s.inTx(ctx, func(ctx context.Context) error {
		cur, err := s.st.Connection(ctx, r.ID)
		if err != nil || !bytes.Equal(cur.SealedSecret, r.SealedSecret) {
			return err
		}
		cur.SealedSecret = fresh
		if err := s.st.UpdateConnection(ctx, cur); err != nil {
			return err
		}
		done = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("sso: resealing the client secret of %s: %w", r.ID, err)
	}
	return done, nil
}

// ResealSecrets seals every connection's client secret that an older key
// of Config.Keys sealed again under the first key, and returns how many it
// resealed. A secret is also resealed the first time it is used after a
// rotation; run ResealSecrets after adding a key so that the old one can
// be retired without waiting for every connection to sign someone in.
func (s *Service) ResealSecrets(ctx context.Context) (int, error) {
	list, err := s.st.Connections(ctx)
	if err != nil {
		return 0, fmt.Errorf("sso: listing connections: %w", err)
	}
	n := 0
	for _, r := range list {
		if len(r.SealedSecret) == 0 {
			continue
		}
		plain, stale, err := s.keys.Open(secretAD(r.ID), r.SealedSecret)
		if err != nil {
			return n, fmt.Errorf("sso: opening the client secret of %s: %w", r.ID, err)
		}
		if !stale {
			continue
		}
		done, err := s.reseal(ctx, r, plain)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// DeleteExpiredFlows deletes the sign-in flows that expired and returns
// how many it deleted. Run it periodically.
func (s *Service) DeleteExpiredFlows(ctx context.Context) (int, error) {
	n, err := s.st.DeleteFlowsBefore(ctx, s.now())
	if err != nil {
		return n, fmt.Errorf("sso: deleting expired flows: %w", err)
	}
	return n, nil
}
