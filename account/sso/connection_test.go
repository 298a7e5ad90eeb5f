package sso_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/sso"
)

func TestNormalize(t *testing.T) {
	c, err := sso.Normalize(sso.Connection{
		Name: " Acme ", Domains: []string{"ACME.example", "acme.test", "acme.example"},
		Issuer: "https://login.acme.example", ClientID: "c", Scopes: []string{"email", "openid", "email"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Acme" || fmt.Sprint(c.Domains) != "[acme.example acme.test]" || fmt.Sprint(c.Scopes) != "[openid email]" ||
		c.Link != sso.LinkVerifiedEmail || c.Claims != sso.DefaultClaims() {
		t.Errorf("Normalize = %+v", c)
	}
	good := sso.Connection{Name: "Acme", Domains: []string{"acme.example"}, Issuer: "https://idp.example", ClientID: "c"}
	for field, edit := range map[string]func(*sso.Connection){
		"id":        func(c *sso.Connection) { c.ID = "Acme Corp" },
		"name":      func(c *sso.Connection) { c.Name = " " },
		"domains":   func(c *sso.Connection) { c.Domains = nil },
		"client_id": func(c *sso.Connection) { c.ClientID = "" },
		"link":      func(c *sso.Connection) { c.Link = "always" },
		"scopes":    func(c *sso.Connection) { c.Scopes = []string{"a b"} },
		"issuer":    func(c *sso.Connection) { c.Issuer = "http://idp.example" },
	} {
		c := good
		edit(&c)
		var ce *sso.ConnectionError
		if _, err := sso.Normalize(c); !errors.As(err, &ce) || ce.Field != field {
			t.Errorf("Normalize with a bad %s = %v, want a *ConnectionError on it", field, err)
		}
	}
	for _, d := range []string{"localhost", "-a.example", "a_b.example", "1.2.3.4."} {
		c := good
		c.Domains = []string{d}
		if _, err := sso.Normalize(c); err == nil {
			t.Errorf("Normalize accepted the domain %q", d)
		}
	}
	for _, iss := range []string{"http://127.0.0.1:9999", "http://localhost:1", "https://idp.example/tenant/v2.0"} {
		c := good
		c.Issuer = iss
		if _, err := sso.Normalize(c); err != nil {
			t.Errorf("Normalize refused the issuer %q: %v", iss, err)
		}
	}
}

// Client secrets rest sealed and never come back in clear.
func TestConnectionSecretSealed(t *testing.T) {
	e := newEnv(t)
	c := e.connect("")
	if c.ClientSecret.Reveal() != "" {
		t.Error("CreateConnection returned the client secret")
	}
	r, err := e.st.Connection(e.ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if r.ClientSecret.Reveal() != "" || len(r.SealedSecret) == 0 || bytes.Contains(r.SealedSecret, []byte(clientSecret)) {
		t.Errorf("stored record holds the secret in clear or not at all: %x", r.SealedSecret)
	}
	if s := fmt.Sprintf("%v %#v %+v", c, c, sso.Connection{ClientSecret: sso.NewSecret(clientSecret)}); bytes.Contains([]byte(s), []byte(clientSecret)) {
		t.Errorf("a connection prints its secret: %s", s)
	}
	// A sealed secret copied onto another connection does not open there.
	if _, err := e.svc.CreateConnection(e.ctx, sso.Connection{ID: "copy", Name: "Copy", Domains: []string{"copy.example"},
		Issuer: e.idp.Issuer, ClientID: clientID}); err != nil {
		t.Fatal(err)
	}
	cp, _ := e.st.Connection(e.ctx, "copy")
	cp.SealedSecret = r.SealedSecret
	if err := e.st.UpdateConnection(e.ctx, cp); err != nil {
		t.Fatal(err)
	}
	if _, err := e.begin(sso.StartRequest{ConnectionID: "copy"}); err == nil {
		t.Error("a secret sealed for acme opened for another connection")
	}
}

func TestConnectionManagement(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	_, err := e.svc.CreateConnection(e.ctx, sso.Connection{Name: "Rival", Domains: []string{"acme.example"}, Issuer: e.idp.Issuer, ClientID: "r"})
	wantErr(t, "CreateConnection(taken domain)", err, sso.ErrDomainTaken)
	gen, err := e.svc.CreateConnection(e.ctx, sso.Connection{Name: "Beta", Domains: []string{"beta.example"}, Issuer: e.idp.Issuer, ClientID: "b"})
	if err != nil || len(gen.ID) < 5 || gen.ID[:4] != "ssc_" {
		t.Errorf("CreateConnection without id = %v, %v; want a generated ssc_ id", gen, err)
	}
	list, err := e.svc.Connections(e.ctx)
	if err != nil || len(list) != 2 || list[0].ID != "acme" {
		t.Errorf("Connections = %v, %v", list, err)
	}
	if c, err := e.svc.ConnectionFor(e.ctx, "Bob@Beta.example"); err != nil || c.ID != gen.ID {
		t.Errorf("ConnectionFor = %v, %v", c, err)
	}
	// Companies derive from connections, falling back to the host's.
	res := sso.Companies{Store: e.st, Next: hostCompanies{}}
	if c, ok, err := res.Company(e.ctx, "ann@acme.example"); !ok || err != nil || !c.SSO || c.Name != "Acme" {
		t.Errorf("Company(acme) = %+v, %v, %v", c, ok, err)
	}
	if c, ok, _ := res.Company(e.ctx, "ann@host.example"); !ok || c.SSO || c.Name != "Host" {
		t.Errorf("Company(host) = %+v, %v; want the host's company", c, ok)
	}
	if _, ok, _ := (sso.Companies{Store: e.st}).Company(e.ctx, "ann@host.example"); ok {
		t.Error("Company of an unknown domain without Next: ok")
	}

	// Deleting a connection unbinds its accounts and frees its domains.
	res2, err := e.signIn("ann@acme.example", annPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteConnection(e.ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteConnection(again)", e.svc.DeleteConnection(e.ctx, "acme"), sso.ErrUnknownConnection)
	a, _ := e.st.Account(e.ctx, res2.Account.ID)
	if a.SSO() {
		t.Errorf("account still bound after its connection went: %v", a)
	}
	if _, ok, _ := res.Company(e.ctx, "ann@acme.example"); ok {
		t.Error("the deleted connection's domain still has a company")
	}
	// Now a password reset is the way back in.
	if err := e.accounts.RequestPasswordReset(e.ctx, "ann@acme.example"); err != nil {
		t.Errorf("RequestPasswordReset after the connection went: %v", err)
	}
	if _, ok := e.out.Last("ann@acme.example"); !ok {
		t.Error("no reset code mailed")
	}
}

type hostCompanies struct{}

func (hostCompanies) Company(_ context.Context, email string) (account.Company, bool, error) {
	if len(email) > 12 && email[len(email)-12:] == "host.example" {
		return account.Company{Name: "Host"}, true, nil
	}
	return account.Company{}, false, nil
}

// A new key rotates the client secrets: ResealSecrets seals each one
// under it, so the old key can be retired; a secret used before that is
// resealed on the way.
func TestClientSecretsResealedOnRotation(t *testing.T) {
	e := newEnv(t)
	e.connect("")
	newKey := bytes.Repeat([]byte{9}, sso.KeySize)
	rotated := func(keys ...[]byte) *sso.Service {
		return sso.NewService(sso.Config{Store: e.st, Accounts: e.accounts, Sessions: e.sessions, Keys: keys, RedirectURL: redirectURL, Now: e.now})
	}
	old, _ := e.st.Connection(e.ctx, "acme")
	both := rotated(newKey, testKey)
	n, err := both.ResealSecrets(e.ctx)
	if err != nil || n != 1 {
		t.Fatalf("ResealSecrets = %d, %v; want 1 resealed", n, err)
	}
	if n, err := both.ResealSecrets(e.ctx); err != nil || n != 0 {
		t.Errorf("ResealSecrets again = %d, %v; want 0", n, err)
	}
	cur, _ := e.st.Connection(e.ctx, "acme")
	if bytes.Equal(cur.SealedSecret, old.SealedSecret) {
		t.Fatal("the stored secret did not change")
	}
	// The new key alone opens it: a sign-in's code exchange works.
	e.svc = rotated(newKey)
	if _, err := e.signIn("ann@acme.example", annPassword); err != nil {
		t.Errorf("sign-in with the new key alone: %v", err)
	}

	// Lazily: a secret sealed under the old key is resealed by its first use.
	if err := e.st.UpdateConnection(e.ctx, old); err != nil {
		t.Fatal(err)
	}
	e.svc = rotated(newKey, testKey)
	if _, err := e.signIn("ann@acme.example", annPassword); err != nil {
		t.Fatalf("sign-in during the rotation: %v", err)
	}
	if cur, _ := e.st.Connection(e.ctx, "acme"); bytes.Equal(cur.SealedSecret, old.SealedSecret) {
		t.Error("a secret opened with the old key was not resealed")
	}
}
