// Command quickstart walks through the whole user journey of the SDK on an
// SQLite file and prints each step: sign up with an emailed code, fill the
// profile and make it public, the password policy, a second account,
// personal access tokens behind the HTTP middleware, notification
// settings, a profile merge, the personal-data download and history,
// single sign-on against an in-process OpenID Provider, and account
// deletion.
//
//	go run ./examples/quickstart            # temporary database
//	go run ./examples/quickstart -db my.db  # keep the database
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"time"

	usersettings "github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/sso/ssotest"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/merge"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/token"
)

func main() {
	dbPath := flag.String("db", "", "SQLite file to keep (default: a temporary file)")
	flag.Parse()
	if err := run(context.Background(), *dbPath, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

type journey struct {
	ctx context.Context
	s   *usersettings.Settings
	out io.Writer
	dir string
	// skip moves the SDK's clock forward.
	skip func(time.Duration)
	// idp is Acme's identity provider, in this process.
	idp *ssotest.Provider
}

func (j *journey) step(format string, args ...any) { fmt.Fprintf(j.out, "\n== "+format+"\n", args...) }
func (j *journey) say(format string, args ...any)  { fmt.Fprintf(j.out, "   "+format+"\n", args...) }

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// code reads the newest one-time code mailed to the address.
func (j *journey) code(to string) (string, error) {
	m, ok := j.s.Outbox.Last(to)
	if !ok {
		return "", fmt.Errorf("no mail to %s", to)
	}
	c := codeRE.FindString(m.Body)
	if c == "" {
		return "", fmt.Errorf("no code in mail %q", m.Subject)
	}
	return c, nil
}

func run(ctx context.Context, dbPath string, out io.Writer) error {
	dir, err := os.MkdirTemp("", "quickstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if dbPath == "" {
		dbPath = filepath.Join(dir, "quickstart.db")
	}
	store, db, err := sqlite.OpenStore(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	// The clock is real, but the journey may skip ahead: one-time codes
	// to one address are throttled to one a minute.
	var skip time.Duration
	// A real host loads its keys with usersettings.KeyRingFromEnv and
	// keeps them across restarts; this run makes random ones.
	codeKeys, totpKeys, err := randomKeys()
	if err != nil {
		return err
	}
	// Acme's identity provider: a real OpenID Provider on loopback.
	idp, err := ssotest.Start()
	if err != nil {
		return err
	}
	defer idp.Close()
	s, err := usersettings.New(store, usersettings.Options{
		CodeKeys: codeKeys, TwoFactorKeys: totpKeys,
		Now:            func() time.Time { return time.Now().Add(skip) },
		Scopes:         []token.Scope{{Name: "mx:app:read", Description: "Read your apps"}},
		SSORedirectURL: ssoCallback,
	})
	if err != nil {
		return err
	}
	j := &journey{ctx: ctx, s: s, out: out, dir: dir, skip: func(d time.Duration) { skip += d }, idp: idp}
	fmt.Fprintf(out, "usersettings quickstart on SQLite (%s)\n", filepath.Base(dbPath))
	for _, f := range []func() error{j.policy, j.signUpAndProfile, j.accounts, j.tokens, j.notifications, j.merge, j.personalData, j.sso, j.deleteAccount} {
		if err := f(); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "\ndone")
	return nil
}

const (
	ada   = "ada@example.com"
	work  = "ada@work.example"
	other = "lovelace@example.org"
	pw    = "Analytical-Engine1843"
)

func (j *journey) policy() error {
	j.step("password policy (password.Mendix)")
	for _, p := range []string{"short", "alllowercase-but-long", pw} {
		err := password.Mendix().Check(p)
		var pe *password.PolicyError
		if errors.As(err, &pe) {
			j.say("%-24q rejected: %v", p, pe.Violations)
		} else {
			j.say("%-24q accepted", p)
		}
	}
	return nil
}

var adaAccount, adaProfile string

func (j *journey) signUp(email string) (accountID, profileID string, err error) {
	pending, err := j.s.Accounts.SignUp(j.ctx, email, pw, false)
	if err != nil {
		return "", "", err
	}
	c, err := j.code(email)
	if err != nil {
		return "", "", err
	}
	a, err := j.s.Accounts.ConfirmSignUp(j.ctx, pending, c)
	if err != nil {
		return "", "", err
	}
	return a.ID, a.ProfileID, nil
}

func (j *journey) signUpAndProfile() error {
	j.step("sign up %s (code read from the outbox)", ada)
	var err error
	if adaAccount, adaProfile, err = j.signUp(ada); err != nil {
		return err
	}
	j.say("account %s, profile %s", adaAccount, adaProfile)
	if _, err := j.s.Accounts.Authenticate(j.ctx, account.Login{Email: ada, Password: "Wrong-password-1"}); err != nil {
		j.say("wrong password: %v", err)
	}

	j.step("make the profile public before it is complete")
	_, err = j.s.Profiles.MakePublic(j.ctx, j.caller(adaAccount))
	var inc *profile.IncompleteError
	if !errors.As(err, &inc) {
		return fmt.Errorf("want an incomplete profile, got %v", err)
	}
	j.say("refused, missing: %v", inc.Missing)

	j.step("fill the profile, add an avatar, make it public")
	str := func(s string) *string { return &s }
	skills, industries := []string{"Go", "Mendix"}, []string{"Banking"}
	if _, err := j.s.Profiles.Update(j.ctx, j.caller(adaAccount), profile.Update{
		Name: str("Ada Lovelace"), JobTitle: str("Engineer"), Department: str("Research"),
		Country: str("gb"), AboutYou: str("I write programs for engines."),
		Skills: &skills, Industries: &industries, TwitterURL: str("https://x.com/ada"),
	}); err != nil {
		return err
	}
	if _, err := j.s.Profiles.SetAvatar(j.ctx, j.caller(adaAccount), avatarPNG()); err != nil {
		return err
	}
	p, err := j.s.Profiles.MakePublic(j.ctx, j.caller(adaAccount))
	if err != nil {
		return err
	}
	view, err := j.s.Profiles.PublicView(j.ctx, adaProfile)
	if err != nil {
		return err
	}
	j.say("public=%v country=%s skills=%v; public view shows %q", p.Public, p.Country, p.Skills, view.Name)
	return nil
}

func avatarPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func (j *journey) accounts() error {
	j.step("add a second account %s to the profile", work)
	pending, err := j.s.Accounts.AddAccount(j.ctx, j.caller(adaAccount), work, pw, true)
	if err != nil {
		return err
	}
	c, err := j.code(work)
	if err != nil {
		return err
	}
	if _, err := j.s.Accounts.ConfirmAddAccount(j.ctx, j.caller(adaAccount), pending, c); err != nil {
		return err
	}
	return j.listAccounts()
}

func (j *journey) listAccounts() error {
	views, err := j.s.Accounts.Accounts(j.ctx, j.caller(adaAccount))
	if err != nil {
		return err
	}
	for _, v := range views {
		j.say("%-22s status=%s signed-in=%v", v.Email, v.Status, v.SignedIn)
	}
	return nil
}

func (j *journey) tokens() error {
	j.step("personal access token behind token.Middleware")
	tok, secret, err := j.s.Tokens.Create(j.ctx, j.caller(adaAccount), "ci", []string{"mx:app:read"})
	if err != nil {
		return err
	}
	j.say("created %q scopes=%v (secret shown once, printed as %v)", tok.Name, tok.Scopes, secret)
	h := token.Middleware(j.s.Tokens, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := token.PrincipalFrom(r.Context())
		fmt.Fprintf(w, `{"account_id":%q}`, p.AccountID)
	}))
	call := func(label, cred string) {
		r := httptest.NewRequest("GET", "/v1/register", nil)
		r.Header.Set("Authorization", "mxtoken "+cred)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		j.say("%-16s -> %d %s", label, w.Code, bytes.TrimSpace(w.Body.Bytes()))
	}
	call("valid token", secret.Reveal())
	mangled := []byte(secret.Reveal())
	mangled[len(mangled)-1] ^= 1
	call("mangled token", string(mangled))
	if err := j.s.Tokens.Delete(j.ctx, j.caller(adaAccount), tok.ID); err != nil {
		return err
	}
	call("deleted token", secret.Reveal())
	return nil
}

func (j *journey) notifications() error {
	j.step("notification settings")
	st, err := j.s.Notifications.Settings(j.ctx, j.caller(adaAccount))
	if err != nil {
		return err
	}
	j.say("defaults: daily digest=%v, thread updates=%v", st.DailyDigest, st.ThreadUpdates)
	on := true
	if st, err = j.s.Notifications.Update(j.ctx, j.caller(adaAccount), notify.Update{DailyDigest: &on}); err != nil {
		return err
	}
	j.say("after toggling the digest: daily digest=%v, thread updates=%v", st.DailyDigest, st.ThreadUpdates)
	for _, app := range []string{"crm", "portal"} {
		if err := j.s.Notifications.Watch(j.ctx, j.caller(adaAccount), app, "App "+app); err != nil {
			return err
		}
	}
	if err := j.s.Notifications.StopWatching(j.ctx, j.caller(adaAccount), "crm"); err != nil {
		return err
	}
	apps, err := j.s.Notifications.WatchedApps(j.ctx, j.caller(adaAccount))
	if err != nil {
		return err
	}
	for _, a := range apps {
		j.say("still watching %s", a.AppName)
	}
	return nil
}

func (j *journey) merge() error {
	j.step("merge the profile of %s into Ada's profile", other)
	otherAccount, _, err := j.signUp(other)
	if err != nil {
		return err
	}
	str := func(s string) *string { return &s }
	skills := []string{"go", "Mathematics"}
	if _, err := j.s.Profiles.Update(j.ctx, j.caller(otherAccount), profile.Update{
		Name: str("A. A. Lovelace"), Country: str("IT"), Skills: &skills,
	}); err != nil {
		return err
	}
	flow, err := j.s.Merges.Start(j.ctx, j.caller(adaAccount), other)
	if err != nil {
		return err
	}
	j.say("code can go to: %v", flow.Addresses)
	j.skip(2 * time.Minute) // the sign-up code went to this address a moment ago
	if err := j.s.Merges.SendCode(j.ctx, j.caller(adaAccount), flow.ID, merge.ChoiceTyped); err != nil {
		return err
	}
	c, err := j.code(other)
	if err != nil {
		return err
	}
	preview, err := j.s.Merges.Verify(j.ctx, j.caller(adaAccount), flow.ID, c)
	if err != nil {
		return err
	}
	for _, f := range preview.Fields {
		if f.Conflict {
			j.say("preview: %s keeps %q, discards %q", f.Name, f.Kept, f.Discarded)
		}
	}
	j.say("preview: combined skills=%d, not merged=%v", preview.Combined.Skills, preview.NotMerged)
	merged, err := j.s.Merges.Commit(j.ctx, j.caller(adaAccount), flow.ID)
	if err != nil {
		return err
	}
	j.say("merged: name=%q skills=%v", merged.Name, merged.Skills)
	return j.listAccounts()
}

func (j *journey) personalData() error {
	j.step("download personal data and show the change history")
	path := filepath.Join(j.dir, "personal-data.zip")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := j.s.PersonalData.ExportZIP(j.ctx, j.caller(adaAccount), f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	j.say("wrote %s (%d bytes)", filepath.Base(path), fi.Size())
	page, err := j.s.PersonalData.History(j.ctx, j.caller(adaAccount), 1, 8)
	if err != nil {
		return err
	}
	for _, e := range page.Entries {
		j.say("%s %-14s %s", e.At.Format("15:04:05"), e.Item, e.Action)
	}
	return nil
}

// ssoCallback is where the provider sends the browser back; the journey
// plays the browser, so no server listens there.
const ssoCallback = "https://settings.example/v1/sso/callback"

func (j *journey) sso() error {
	j.step("single sign-on: Acme brings its own identity provider")
	j.idp.AddClient("settings", "acme-client-secret", ssoCallback)
	j.idp.AddUser(ssotest.User{ID: "u-grace", Email: "grace@acme.example", Password: "at the IdP", EmailVerified: true})
	_, err := j.s.SSO.CreateConnection(j.ctx, sso.Connection{
		ID: "acme", Name: "Acme", Domains: []string{"acme.example"}, Issuer: j.idp.Issuer,
		ClientID: "settings", ClientSecret: sso.NewSecret("acme-client-secret"),
	})
	if err != nil {
		return err
	}
	_, err = j.s.Accounts.SignUp(j.ctx, "grace@acme.example", pw, false)
	j.say("password sign-up of grace@acme.example -> %v", err)
	started, err := j.s.SSO.Start(j.ctx, sso.StartRequest{Email: "grace@acme.example", ReturnTo: "/settings"})
	if err != nil {
		return err
	}
	back, err := j.idp.Login(http.DefaultClient, started.URL, "grace@acme.example", "at the IdP") // the browser's part
	if err != nil {
		return err
	}
	in, err := j.s.SSO.Callback(j.ctx, back.Query(), started.Binding, auth.Client{})
	if err != nil {
		return err
	}
	j.say("signed in through the provider: method=%s connection=%s created=%v", in.Method, in.ConnectionID, in.Created)
	views, err := j.s.Accounts.Accounts(j.ctx, j.caller(in.Account.ID))
	if err != nil {
		return err
	}
	j.say("accounts overview: %s company=%s sso=%v", views[0].Email, views[0].Company, views[0].SSO)
	return nil
}

func (j *journey) deleteAccount() error {
	j.step("delete the account %s (signed in with it)", work)
	a, err := j.s.Accounts.Authenticate(j.ctx, account.Login{Email: work, Password: pw})
	if err != nil {
		return err
	}
	if err := j.s.Accounts.Delete(j.ctx, j.caller(a.Account.ID), a.Account.ID); err != nil {
		return err
	}
	return j.listAccounts()
}

// randomKeys makes a code key and a two-factor key for one run.
func randomKeys() (code, totp usersettings.KeyRing, err error) {
	k := make([]byte, 2*usersettings.KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, nil, err
	}
	return usersettings.KeyRing{k[:usersettings.KeySize]}, usersettings.KeyRing{k[usersettings.KeySize:]}, nil
}

// caller is the account acting as a person who just signed in with a
// password: what a host's own sign-in hands to the SDK.
func (j *journey) caller(accountID string) auth.Caller {
	return auth.New(accountID, auth.MethodPassword, j.s.Now(), "")
}
