package token_test

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is the shared fake clock of the tests.
type clock = fakeclock.Clock

// countingStore counts the calls of the validation paths.
type countingStore struct {
	*memory.Store
	lookups atomic.Int64 // TokenByDigest and APIKeyByDigest
	touches atomic.Int64 // TouchToken
}

func (c *countingStore) TokenByDigest(ctx context.Context, d token.Digest) (token.TokenWithAccount, error) {
	c.lookups.Add(1)
	return c.Store.TokenByDigest(ctx, d)
}

func (c *countingStore) APIKeyByDigest(ctx context.Context, d token.Digest) (token.APIKeyWithAccount, error) {
	c.lookups.Add(1)
	return c.Store.APIKeyByDigest(ctx, d)
}

func (c *countingStore) TouchToken(ctx context.Context, id string, at, ifBefore time.Time) (bool, error) {
	c.touches.Add(1)
	return c.Store.TouchToken(ctx, id, at, ifBefore)
}

type fixture struct {
	ctx    context.Context
	st     *memory.Store
	count  *countingStore
	clock  *clock
	outbox *notify.Outbox
	svc    *token.Service
	cfg    token.Config
	acct   account.Account
}

func registry() *token.Registry {
	return token.NewRegistry(
		token.Scope{Name: "projects:read", Description: "Read projects"},
		token.Scope{Name: "projects:write", Description: "Change projects"},
		token.Scope{Name: "catalog", Description: "Use the catalog"},
	)
}

// as returns the caller of the account, signed in with its password just
// now.
func (f *fixture) as(accountID string) auth.Caller {
	return auth.New(accountID, auth.MethodPassword, f.clock.Now(), "")
}

// newFixture returns a service over a memory store holding one active
// account, ann@example.com.
func newFixture(t testing.TB, edit ...func(*token.Config)) *fixture {
	t.Helper()
	f := &fixture{ctx: context.Background(), st: memory.New(), clock: fakeclock.New(t0), outbox: notify.NewOutbox()}
	f.count = &countingStore{Store: f.st}
	f.acct = f.addAccount(t, "acc_ann", "ann@example.com")
	f.cfg = token.Config{
		Store: f.count, Accounts: f.st, Tx: f.st, History: f.st, Notices: &notify.Notifier{Mailer: f.outbox},
		Scopes: registry(), Now: f.clock.Now, Rand: rand.NewChaCha8([32]byte{1}),
	}
	for _, e := range edit {
		e(&f.cfg)
	}
	f.svc = token.NewService(f.cfg)
	return f
}

// addAccount stores an active account with its own profile.
func (f *fixture) addAccount(t testing.TB, id, email string) account.Account {
	t.Helper()
	a := account.Account{ID: id, ProfileID: "prf_" + id, Email: email, Status: account.StatusActive, CreatedAt: t0}
	if err := f.st.CreateProfile(f.ctx, profile.Profile{ID: a.ProfileID, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.CreateAccount(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) setStatus(t testing.TB, s account.Status) {
	t.Helper()
	a := f.acct
	a.Status = s
	if err := f.st.UpdateAccount(f.ctx, a); err != nil {
		t.Fatal(err)
	}
}

// create makes a token for ann with the projects:read scope.
func (f *fixture) create(t testing.TB, name string, opts ...token.CreateOption) (token.Token, string) {
	t.Helper()
	tok, s, err := f.svc.Create(f.ctx, f.as(f.acct.ID), name, []string{"projects:read"}, opts...)
	if err != nil {
		t.Fatalf("Create(%q): %v", name, err)
	}
	return tok, s.Reveal()
}

func (f *fixture) createKey(t testing.TB, desc string) (token.APIKey, string) {
	t.Helper()
	k, s, err := f.svc.CreateAPIKey(f.ctx, f.as(f.acct.ID), desc)
	if err != nil {
		t.Fatalf("CreateAPIKey(%q): %v", desc, err)
	}
	return k, s.Reveal()
}
