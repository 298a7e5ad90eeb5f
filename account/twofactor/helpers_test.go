package twofactor_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// clock is the shared fake clock of the tests.
type clock = fakeclock.Clock

// fakeSMS records the texts it was asked to send.
type fakeSMS struct {
	mu    sync.Mutex
	sent  []string // "phone: text"
	phone string
	code  string
}

var smsCode = regexp.MustCompile(`\b\d{6}\b`)

func (f *fakeSMS) SendSMS(ctx context.Context, phone, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, phone+": "+text)
	f.phone, f.code = phone, smsCode.FindString(text)
	return nil
}

func (f *fakeSMS) last() (phone, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.phone, f.code
}

// fakePasswords accepts one password.
type fakePasswords struct{ password string }

var errWrongPassword = errors.New("wrong password")

func (f fakePasswords) CheckPassword(ctx context.Context, accountID, password string) error {
	if password != f.password {
		return errWrongPassword
	}
	return nil
}

const (
	testAccount  = "acc_ada"
	testProfile  = "prf_ada"
	testEmail    = "ada@example.com"
	testPassword = "Correct-Horse-9"
)

// signInClient is the client of the sign-ins of the tests.
var signInClient = auth.Client{IP: "198.51.100.4", UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15"}

var testKey = []byte("0123456789abcdef0123456789abcdef")

// env is a service over a memory store holding one account.
type env struct {
	t      *testing.T
	ctx    context.Context
	clock  *clock
	store  *memory.Store
	sms    *fakeSMS
	outbox *notify.Outbox
	svc    *twofactor.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{
		t: t, ctx: context.Background(), store: memory.New(), sms: &fakeSMS{}, outbox: notify.NewOutbox(),
		clock: fakeclock.New(time.Date(2024, 3, 1, 12, 0, 10, 0, time.UTC)),
	}
	if err := e.store.CreateProfile(e.ctx, profile.Profile{ID: testProfile, Name: "Ada", CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	a := account.Account{ID: testAccount, ProfileID: testProfile, Email: testEmail, Status: account.StatusActive, CreatedAt: e.clock.Now()}
	if err := e.store.CreateAccount(e.ctx, a); err != nil {
		t.Fatal(err)
	}
	e.svc = e.service(testKey)
	return e
}

// as returns the caller of the account, signed in with its password just
// now, through a session of its own.
func (e *env) as(accountID string) auth.Caller {
	return auth.Caller{AccountID: accountID, Method: auth.MethodPassword, AuthenticatedAt: e.clock.Now(), SessionID: "ses_" + accountID}
}

// service returns another service over the same store and clock, as a
// second process would have.
func (e *env) service(key []byte) *twofactor.Service {
	return twofactor.NewService(twofactor.Config{
		Store: e.store, Accounts: e.store, Tx: e.store, History: e.store, Key: key, Notices: &notify.Notifier{Mailer: e.outbox}, SMS: e.sms,
		Passwords: fakePasswords{testPassword}, Now: e.clock.Now,
	})
}

// code computes the authenticator code for the secret at the fake time
// plus offset.
func (e *env) code(secret string, offset time.Duration) string {
	e.t.Helper()
	c, err := totp.GenerateCodeCustom(secret, e.clock.Now().Add(offset), totp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// enrolApp enrols an authenticator app and returns its secret and the
// recovery codes.
func (e *env) enrolApp() (secret string, recovery []string) {
	e.t.Helper()
	enr, err := e.svc.BeginAuthenticator(e.ctx, e.as(testAccount), "Example", testEmail)
	if err != nil {
		e.t.Fatalf("BeginAuthenticator: %v", err)
	}
	secret = enr.Secret.Reveal()
	recovery, err = e.svc.ConfirmAuthenticator(e.ctx, e.as(testAccount), e.code(secret, 0))
	if err != nil {
		e.t.Fatalf("ConfirmAuthenticator: %v", err)
	}
	e.clock.Advance(30 * time.Second) // the confirming code is used up
	return secret, recovery
}

func (e *env) status() twofactor.Status {
	e.t.Helper()
	st, err := e.svc.Status(e.ctx, e.as(testAccount))
	if err != nil {
		e.t.Fatalf("Status: %v", err)
	}
	return st
}

// wantErr is the one error check of the tests (usersettingstest.WantErr).
var wantErr = usersettingstest.WantErr

// fmtAll formats every value with the verb.
func fmtAll(verb string, vals ...any) string {
	var sb strings.Builder
	for _, v := range vals {
		fmt.Fprintf(&sb, verb+"\n", v)
	}
	return sb.String()
}

func hexOf(s string) string { return hex.EncodeToString([]byte(s)) }

// The account service and this one fit together.
var (
	_ account.Eraser            = (*twofactor.Service)(nil)
	_ account.SecondFactor      = (*twofactor.Service)(nil)
	_ twofactor.PasswordChecker = (*account.Service)(nil)
)
