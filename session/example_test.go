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
