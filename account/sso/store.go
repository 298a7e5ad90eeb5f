package sso

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
)

// Digest is the SHA-256 digest of a flow's state or nonce: the store
// keeps digests, never the values the browser carries.
type Digest [sha256.Size]byte

// DigestOf returns the digest of s.
func DigestOf(s string) Digest { return sha256.Sum256([]byte(s)) }

// Record is a connection as the Store keeps it: ClientSecret is empty and
// SealedSecret holds the secret sealed with the host's key (nil for a
// public client).
type Record struct {
	Connection
	SealedSecret []byte
}

// Flow is a sign-in started by Start and waiting for the provider to
// send the browser back: it lives FlowTTL (10 minutes) and is used once.
type Flow struct {
	// State is the digest of the state parameter; it identifies the flow.
	State        Digest
	ConnectionID string
	// Nonce is the digest of the nonce the ID token must carry.
	Nonce Digest
	// Verifier is the PKCE code verifier, sealed with the host's key.
	Verifier []byte
	// ReturnTo is the relative path the host sends the person to after
	// signing in.
	ReturnTo  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Store persists connections and sign-in flows, and finds accounts by
// address and by identity. It is implemented by storage/memory,
// storage/sqlstore and any host adapter that passes
// storagetest.TestSSOStore.
type Store interface {
	// CreateConnection stores a new connection with its domains. It
	// returns storage.ErrConflict when the ID or any of the domains is
	// taken (a domain belongs to at most one connection).
	CreateConnection(ctx context.Context, r Record) error
	// Connection returns the connection with the ID, or
	// storage.ErrNotFound.
	Connection(ctx context.Context, id string) (Record, error)
	// ConnectionByDomain returns the connection that owns the lower-case
	// domain, or storage.ErrNotFound.
	ConnectionByDomain(ctx context.Context, domain string) (Record, error)
	// Connections returns every connection, ordered by ID.
	Connections(ctx context.Context) ([]Record, error)
	// UpdateConnection replaces the connection with the same ID and its
	// domains (all fields but CreatedAt). It returns storage.ErrNotFound,
	// or storage.ErrConflict when a new domain belongs to another
	// connection.
	UpdateConnection(ctx context.Context, r Record) error
	// DeleteConnection deletes the connection, its domains and its flows,
	// and unbinds its accounts (their SSOConnection and SSOSubject become
	// empty; they keep having no password). It returns
	// storage.ErrNotFound.
	DeleteConnection(ctx context.Context, id string) error

	// CreateFlow stores a sign-in flow. It returns storage.ErrConflict
	// when the state is taken, and storage.ErrNotFound when the
	// connection does not exist.
	CreateFlow(ctx context.Context, f Flow) error
	// TakeFlow deletes the flow with the state digest and returns it, in
	// one atomic step, so a flow is used at most once even by concurrent
	// callers. It returns storage.ErrNotFound.
	TakeFlow(ctx context.Context, state Digest) (Flow, error)
	// DeleteFlowsBefore deletes the flows that expired before t and
	// returns how many it deleted.
	DeleteFlowsBefore(ctx context.Context, t time.Time) (int, error)

	// AccountByEmail returns the account with the normalised email, or
	// storage.ErrNotFound; see account.Store.
	AccountByEmail(ctx context.Context, email string) (account.Account, error)
	// AccountBySubject returns the account bound to the connection and
	// the provider's subject, or storage.ErrNotFound.
	AccountBySubject(ctx context.Context, connectionID, subject string) (account.Account, error)
}
