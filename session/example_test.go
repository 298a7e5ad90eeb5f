package session_test

import (
	"context"
	"fmt"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// A session is started after the password check, validated on every
// request and ended at sign-out.
func Example() {
	ctx := context.Background()
	st := memory.New()
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_1"})
	_ = st.CreateAccount(ctx, account.Account{ID: "acc_1", ProfileID: "prf_1", Email: "ada@example.com", Status: account.StatusActive})

	sessions := session.NewService(session.Config{Store: st, Accounts: st})
	ses, secret, _ := sessions.Start(ctx, session.Begin{AccountID: "acc_1", Method: auth.MethodPassword})
	fmt.Println("printed secret:", secret)

	got, err := sessions.Validate(ctx, secret.Reveal())
	fmt.Println(got.ID == ses.ID, got.AccountID, err)

	_ = sessions.End(ctx, got.Caller(), ses.ID) // sign out
	_, err = sessions.Validate(ctx, secret.Reveal())
	fmt.Println(err)
	// Output:
	// printed secret: [REDACTED]
	// true acc_1 <nil>
	// session: invalid session
}

// CSRFToken derives the anti-CSRF token a browser page sends back in a
// header; the server recomputes it from the session cookie.
func ExampleCSRFToken() {
	secret := "k3yXcL0pD9wQeR7tYuI2oP5aS8dF1gH4jK6lZ0xCvBn"
	tok := session.CSRFToken(secret)
	fmt.Println(session.CheckCSRF(secret, tok), session.CheckCSRF(secret, "forged"))
	// Output: true false
}

// A person lists their sessions, each with its device, and signs out the
// ones they do not recognise.
func ExampleService_List() {
	ctx := context.Background()
	st := memory.New()
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_1"})
	_ = st.CreateAccount(ctx, account.Account{ID: "acc_1", ProfileID: "prf_1", Email: "ada@example.com", Status: account.StatusActive})
	sessions := session.NewService(session.Config{Store: st, Accounts: st})

	phone, _, _ := sessions.Start(ctx, session.Begin{AccountID: "acc_1", Method: auth.MethodPassword,
		Client: auth.Client{IP: "198.51.100.7", UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile Safari/604.1"}})
	laptop, _, _ := sessions.Start(ctx, session.Begin{AccountID: "acc_1", Method: auth.MethodSecondFactor,
		Client: auth.Client{IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}})

	me := laptop.Caller() // the person acts through the laptop's session
	list, _ := sessions.List(ctx, me)
	for _, s := range list {
		fmt.Println(s.Device(), s.IP, s.Method, s.Current)
	}
	fmt.Println(sessions.End(ctx, me, phone.ID))
	// Unordered output:
	// Safari on iPhone 198.51.100.7 password false
	// Firefox on Linux 192.0.2.1 password+second_factor true
	// <nil>
}
