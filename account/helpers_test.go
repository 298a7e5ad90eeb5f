package account_test

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
	"github.com/seed-a97ca23f/usersettings/verification"
)

const (
	goodPW  = "Correct-Horse-9"
	otherPW = "Battery-Staple-7"
)

// resetClient is the client of the password resets of the tests.
var resetClient = auth.Client{IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}

// cheap are argon2id parameters that keep tests fast.
var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// countingHasher counts the calls of each method of a real Hasher.
type countingHasher struct {
	h                   *password.Hasher
	hash, verify, dummy atomic.Int64
}

func (c *countingHasher) Hash(ctx context.Context, pw string) (string, error) {
	c.hash.Add(1)
	return c.h.Hash(ctx, pw)
}

func (c *countingHasher) Verify(ctx context.Context, pw, encoded string) (bool, bool, error) {
	c.verify.Add(1)
	return c.h.Verify(ctx, pw, encoded)
}

func (c *countingHasher) VerifyDummy(ctx context.Context, pw string) {
	c.dummy.Add(1)
	c.h.VerifyDummy(ctx, pw)
}

// companies resolves by domain.
type companies map[string]account.Company

func (m companies) Company(_ context.Context, email string) (account.Company, bool, error) {
	c, ok := m[email[strings.LastIndexByte(email, '@')+1:]]
	return c, ok, nil
}

var testCompanies = companies{
	"mendix.example": {Name: "Mendix"},
	"sso.example":    {Name: "Federated Inc", SSO: true},
	"strict.example": {Name: "Strict BV", PasswordMaxAge: 30 * 24 * time.Hour, HasMaxAge: true},
	"never.example":  {Name: "Relaxed BV", HasMaxAge: true},
}

// clock is the shared fake clock of the tests.
type clock = fakeclock.Clock

// eraser is the account.Erasure of the tests: the personal-data
// service's erasure over the store, recording calls, and able to fail or
// write to the store in the transaction it is given.
type eraser struct {
	st       *memory.Store
	pd       *personaldata.Service
	mu       sync.Mutex
	calls    []string
	failWith error // returned by EraseProfile
}

func newEraser(st *memory.Store) *eraser {
	return &eraser{st: st, pd: personaldata.NewService(personaldata.Config{
		Tx: st, Profiles: st, Accounts: st, History: st,
		Sources: personaldata.DefaultSources(personaldata.Deps{Profiles: st, Accounts: st, Codes: st, History: st, Notify: st}),
	})}
}

func (e *eraser) EraseAccount(ctx context.Context, id string) error {
	e.mu.Lock()
	e.calls = append(e.calls, "account "+id)
	e.mu.Unlock()
	if err := e.pd.EraseAccount(ctx, id); err != nil {
		return err
	}
	// A write in the caller's transaction, which a later failure must undo.
	return e.st.CreatePending(ctx, account.Pending{ID: "pnd_by_eraser_" + id, Kind: account.PendingSignUp})
}

func (e *eraser) EraseProfile(ctx context.Context, id string) error {
	e.mu.Lock()
	e.calls = append(e.calls, "profile "+id)
	e.mu.Unlock()
	if e.failWith != nil {
		return e.failWith
	}
	return e.pd.EraseProfile(ctx, id)
}

func (e *eraser) Scrub(ctx context.Context) error { return e.pd.Scrub(ctx) }

type secondFactor map[string]bool

func (s secondFactor) Required(_ context.Context, accountID string) (bool, error) {
	return s[accountID], nil
}

type env struct {
	t      *testing.T
	ctx    context.Context
	st     *memory.Store
	clock  *clock
	out    *notify.Outbox
	hasher *countingHasher
	eraser *eraser
	second secondFactor
	codes  *verification.Service
	log    *securitylog.Log
	svc    *account.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{
		t: t, ctx: context.Background(), st: memory.New(),
		clock:  fakeclock.New(time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)),
		out:    notify.NewOutbox(),
		hasher: &countingHasher{h: password.NewHasher(password.HasherConfig{Params: cheap})},
		second: secondFactor{},
	}
	e.eraser = newEraser(e.st)
	e.out.Now = e.clock.Now
	e.codes = verification.NewService(verification.Config{
		Store: e.st, Tx: e.st, Mailer: e.out, Key: []byte("test key"), Now: e.clock.Now,
	})
	e.log = securitylog.New(e.st, rand.Reader, e.clock.Now, nil)
	e.svc = account.NewService(account.Config{
		Accounts: e.st, Profiles: e.st, History: e.st, Tx: e.st, Codes: e.codes,
		Notices: &notify.Notifier{Mailer: e.out}, Hasher: e.hasher, Companies: testCompanies,
		Erasure: e.eraser, SecondFactor: e.second, Now: e.clock.Now,
		Limiter: e.st, Failures: e.st, SecurityLog: e.log, DeviceKeys: [][]byte{[]byte("device key of the tests, 32 bytes")},
	})
	return e
}

// code returns the code of the newest mail to addr.
func (e *env) code(addr string) string {
	e.t.Helper()
	m, ok := e.out.Last(addr)
	if !ok {
		e.t.Fatalf("no mail to %s", addr)
	}
	return usersettingstest.MailCode(e.t, "the newest mail to "+addr, m.Body)
}

// signUp signs addr up with goodPW and returns the new account.
func (e *env) signUp(addr string) account.Account {
	e.t.Helper()
	pid, err := e.svc.SignUp(e.ctx, addr, goodPW, false)
	if err != nil {
		e.t.Fatalf("SignUp(%s): %v", addr, err)
	}
	a, err := e.svc.ConfirmSignUp(e.ctx, pid, e.code(addr))
	if err != nil {
		e.t.Fatalf("ConfirmSignUp(%s): %v", addr, err)
	}
	e.clock.Advance(time.Minute) // past the send throttle
	return a
}

// addAccount adds addr to the profile of the signed-in account.
func (e *env) addAccount(signedIn, addr string) account.Account {
	e.t.Helper()
	pid, err := e.svc.AddAccount(e.ctx, e.as(signedIn), addr, goodPW, true)
	if err != nil {
		e.t.Fatalf("AddAccount(%s): %v", addr, err)
	}
	a, err := e.svc.ConfirmAddAccount(e.ctx, e.as(signedIn), pid, e.code(strings.ToLower(addr)))
	if err != nil {
		e.t.Fatalf("ConfirmAddAccount(%s): %v", addr, err)
	}
	e.clock.Advance(time.Minute)
	return a
}

// mails returns the subjects of the mails to addr.
func (e *env) mails(addr string) []string {
	var out []string
	for _, m := range e.out.Messages() {
		if m.To == addr {
			out = append(out, m.Subject)
		}
	}
	return out
}

// as returns the caller of the account, signed in with its password just
// now.
func (e *env) as(accountID string) auth.Caller {
	return auth.Caller{AccountID: accountID, Method: auth.MethodPassword, AuthenticatedAt: e.clock.Now(), SessionID: "ses_" + accountID}
}

// support is the admin of the tests' admin operations.
var support = auth.Admin{ID: "support@example.com", Reason: "ticket 42"}

// wantErr is the one error check of the tests (usersettingstest.WantErr).
var wantErr = usersettingstest.WantErr
