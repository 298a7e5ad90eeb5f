package usersettings_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/sso/ssotest"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/token"
)

// New wires single sign-on: the connections are companies for the
// account service, a sign-in makes an account, its PATs work, and
// deactivating it stops its sessions and tokens at once.
func TestNewWiresSSO(t *testing.T) {
	ctx := context.Background()
	idp, err := ssotest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer idp.Close()
	const callback = "http://127.0.0.1:1/callback"
	idp.AddClient("settings", "secret", callback)
	idp.AddUser(ssotest.User{ID: "u-ann", Email: "ann@acme.example", Password: "pw", EmailVerified: true})
	key := bytes.Repeat([]byte{3}, usersettings.KeySize)
	s, err := usersettings.New(memory.New(), usersettings.Options{
		CodeKeys: usersettings.KeyRing{key}, TwoFactorKeys: usersettings.KeyRing{key}, Hasher: fastHasher(),
		Scopes: []token.Scope{{Name: "read", Description: "Read"}}, SSORedirectURL: callback,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SSO.CreateConnection(ctx, sso.Connection{ID: "acme", Name: "Acme", Domains: []string{"acme.example"},
		Issuer: idp.Issuer, ClientID: "settings", ClientSecret: sso.NewSecret("secret")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accounts.SignUp(ctx, "bob@acme.example", pw, false); !errors.Is(err, account.ErrSSORequired) {
		t.Errorf("SignUp of an SSO address = %v, want ErrSSORequired", err)
	}
	started, err := s.SSO.Start(ctx, sso.StartRequest{Email: "ann@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	back, err := idp.Login(http.DefaultClient, started.URL, "ann@acme.example", "pw")
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.SSO.Callback(ctx, back.Query(), started.Binding, auth.Client{})
	if err != nil || !in.Created {
		t.Fatalf("Callback = %+v, %v", in, err)
	}
	_, secret, err := s.Sessions.Start(ctx, session.Begin{AccountID: in.Account.ID, Method: auth.MethodSSO})
	if err != nil {
		t.Fatal(err)
	}
	_, pat, err := s.Tokens.Create(ctx, auth.New(in.Account.ID, auth.MethodSSO, s.Now(), ""), "ci", []string{"read"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tokens.Validate(ctx, pat.Reveal()); err != nil {
		t.Fatalf("the PAT of an SSO account: %v", err)
	}
	if err := s.Accounts.AdminDeactivate(ctx, auth.Admin{ID: "support", Reason: "test"}, in.Account.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sessions.Validate(ctx, secret.Reveal()); err == nil {
		t.Error("a session of the deactivated account is valid")
	}
	if _, err := s.Tokens.Validate(ctx, pat.Reveal()); err == nil {
		t.Error("a PAT of the deactivated account is valid")
	}

	if _, err := usersettings.New(memory.New(), usersettings.Options{
		CodeKeys: usersettings.KeyRing{key}, TwoFactorKeys: usersettings.KeyRing{key},
		SSOKeys: usersettings.KeyRing{append(key, 0)},
	}); err == nil {
		t.Error("New with an SSO key of 33 bytes: got nil error")
	}
}
