package sso_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/sso/ssotest"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// A company connects its identity provider; the first sign-in of one of
// its people creates their account, the next one signs in to it.
func Example() {
	ctx := context.Background()
	idp, err := ssotest.Start() // a real OpenID Provider on loopback
	if err != nil {
		panic(err)
	}
	defer idp.Close()
	const callback = "https://settings.example/v1/sso/callback"
	idp.AddClient("settings", "s3cret", callback)
	idp.AddUser(ssotest.User{ID: "u-ann", Email: "ann@acme.example", Password: "pw", EmailVerified: true})

	st := memory.New()
	key := bytes.Repeat([]byte{1}, sso.KeySize) // keep real keys outside the database
	codes := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: notify.NewOutbox(), Key: key})
	sessions := session.NewService(session.Config{Store: st, Accounts: st})
	accounts := account.NewService(account.Config{
		Accounts: st, Profiles: st, History: st, Tx: st, Codes: codes,
		Companies: sso.Companies{Store: st}, // the connections are the companies
	})
	svc := sso.NewService(sso.Config{
		Store: st, Accounts: accounts, Sessions: sessions, Keys: [][]byte{key}, RedirectURL: callback,
	})
	_, err = svc.CreateConnection(ctx, sso.Connection{
		ID: "acme", Name: "Acme", Domains: []string{"acme.example"},
		Issuer: idp.Issuer, ClientID: "settings", ClientSecret: sso.NewSecret("s3cret"),
	})
	if err != nil {
		panic(err)
	}

	for range 2 {
		started, err := svc.Start(ctx, sso.StartRequest{Email: "ann@acme.example", ReturnTo: "/settings"})
		if err != nil {
			panic(err)
		}
		// The browser goes to started.URL with svc.BindingCookie(started)
		// set, the person signs in at the provider, and the provider
		// sends the browser back with the cookie (sso.BindingOf reads it).
		back, err := idp.Login(http.DefaultClient, started.URL, "ann@acme.example", "pw")
		if err != nil {
			panic(err)
		}
		in, err := svc.Callback(ctx, back.Query(), started.Binding, auth.Client{IP: "192.0.2.7", UserAgent: "Mozilla/5.0 Firefox/140.0"})
		if err != nil {
			panic(err)
		}
		fmt.Println(in.Account.Email, in.Method, in.ConnectionID, "created:", in.Created, "back to", in.ReturnTo)
		if _, _, err := sessions.Start(ctx, session.Begin{AccountID: in.Account.ID, Method: auth.MethodSSO}); err != nil {
			panic(err)
		}
	}
	_, err = accounts.Authenticate(ctx, account.Login{Email: "ann@acme.example", Password: "any password"})
	fmt.Println(err)
	// Output:
	// ann@acme.example sso acme created: true back to /settings
	// ann@acme.example sso acme created: false back to /settings
	// account: invalid credentials
}
