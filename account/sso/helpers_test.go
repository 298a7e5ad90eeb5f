package sso_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/sso/ssotest"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
	"github.com/seed-a97ca23f/usersettings/verification"
)

const (
	redirectURL  = "http://127.0.0.1:1/v1/sso/callback"
	clientID     = "settings"
	clientSecret = "client secret of settings"
	annPassword  = "idp password of ann"
	goodPW       = "Correct-Horse-9"
)

var testKey = bytes.Repeat([]byte{7}, sso.KeySize)

// cheap are argon2id parameters that keep tests fast.
var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// env is the SDK's account, session and single-sign-on services over a
// memory store, and a real OpenID Provider on loopback.
type env struct {
	t        *testing.T
	ctx      context.Context
	st       *memory.Store
	out      *notify.Outbox
	accounts *account.Service
	sessions *session.Service
	svc      *sso.Service
	idp      *ssotest.Provider
	skew     atomic.Int64 // added to the wall clock, in nanoseconds

	bindings map[string]string // the browser binding of each started state
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), st: memory.New(), out: notify.NewOutbox(), bindings: map[string]string{}}
	idp, err := ssotest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	e.idp = idp
	idp.AddClient(clientID, clientSecret, redirectURL)
	idp.AddUser(ssotest.User{ID: "u-ann", Email: "ann@acme.example", Password: annPassword, EmailVerified: true, Name: "Ann Smith"})
	codes := verification.NewService(verification.Config{Store: e.st, Tx: e.st, Mailer: e.out, Key: testKey, Now: e.now})
	log := securitylog.New(e.st, nil, e.now, nil)
	e.sessions = session.NewService(session.Config{Store: e.st, Accounts: e.st, Now: e.now})
	e.accounts = account.NewService(account.Config{
		Accounts: e.st, Profiles: e.st, History: e.st, Tx: e.st, Codes: codes,
		Notices: &notify.Notifier{Mailer: e.out}, Companies: sso.Companies{Store: e.st},
		Hasher:      password.NewHasher(password.HasherConfig{Params: cheap}),
		SecurityLog: log, Now: e.now,
	})
	e.svc = sso.NewService(sso.Config{
		Store: e.st, Accounts: e.accounts, Sessions: e.sessions, Keys: [][]byte{testKey},
		RedirectURL: redirectURL, SecurityLog: log, Now: e.now,
	})
	return e
}

func (e *env) now() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) }

// connect creates the acme connection to the in-process provider.
func (e *env) connect(link sso.LinkPolicy) sso.Connection {
	e.t.Helper()
	c, err := e.svc.CreateConnection(e.ctx, sso.Connection{
		ID: "acme", Name: "Acme", Domains: []string{"acme.example"}, Issuer: e.idp.Issuer,
		ClientID: clientID, ClientSecret: sso.NewSecret(clientSecret), Link: link,
	})
	if err != nil {
		e.t.Fatalf("CreateConnection: %v", err)
	}
	return c
}

// signIn runs a whole sign-in of the address at the provider and returns
// the callback's result.
func (e *env) signIn(email, pw string) (sso.SignIn, error) {
	e.t.Helper()
	q := e.login(email, pw)
	return e.callback(q, auth.Client{})
}

// begin starts a sign-in as the browser would and keeps its binding, as
// the browser keeps the cookie; it returns the authorization URL.
func (e *env) begin(req sso.StartRequest) (string, error) {
	st, err := e.svc.Start(e.ctx, req)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(st.URL)
	if err != nil {
		return "", err
	}
	e.bindings[u.Query().Get("state")] = st.Binding
	return st.URL, nil
}

// callback completes a sign-in from the browser that started it: with
// the binding of the query's state.
func (e *env) callback(q url.Values, client auth.Client) (sso.SignIn, error) {
	return e.svc.Callback(e.ctx, q, e.bindings[q.Get("state")], client)
}

// login starts a sign-in and logs in at the provider; it returns the
// query the provider sends the browser back with.
func (e *env) login(email, pw string) url.Values {
	e.t.Helper()
	authURL, err := e.begin(sso.StartRequest{Email: email, ReturnTo: "/settings"})
	if err != nil {
		e.t.Fatalf("Start(%s): %v", email, err)
	}
	back, err := e.idp.Login(http.DefaultClient, authURL, email, pw)
	if err != nil {
		e.t.Fatalf("Login(%s): %v", email, err)
	}
	if got := back.Scheme + "://" + back.Host + back.Path; got != redirectURL {
		e.t.Fatalf("provider sent the browser to %s, want %s", got, redirectURL)
	}
	return back.Query()
}

// passwordAccount signs up a password account through the account
// service (before the company turned single sign-on on).
func (e *env) passwordAccount(email string) account.Account {
	e.t.Helper()
	pid, err := e.accounts.SignUp(e.ctx, email, goodPW, false)
	if err != nil {
		e.t.Fatalf("SignUp(%s): %v", email, err)
	}
	m, ok := e.out.Last(email)
	if !ok {
		e.t.Fatalf("no code mailed to %s", email)
	}
	a, err := e.accounts.ConfirmSignUp(e.ctx, pid, usersettingstest.MailCode(e.t, "the mail to "+email, m.Body))
	if err != nil {
		e.t.Fatalf("ConfirmSignUp(%s): %v", email, err)
	}
	return a
}

func httpClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }
