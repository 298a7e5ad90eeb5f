package usersettings_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/token"
)

// New wires every service over one store. With the zero Options the mail
// goes to an in-memory outbox, which is how this example reads the code.
func ExampleNew() {
	ctx := context.Background()
	// In production the keys come from the environment or a secret
	// store: usersettings.KeyRingFromEnv("APP_CODE_KEYS").
	codeKeys, _ := usersettings.ParseKeyRing("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	totpKeys, _ := usersettings.ParseKeyRing("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=")
	s, err := usersettings.New(memory.New(), usersettings.Options{
		CodeKeys: codeKeys, TwoFactorKeys: totpKeys,
		Scopes: []token.Scope{{Name: "mx:app:read", Description: "Read your apps"}},
	})
	if err != nil {
		panic(err)
	}

	pending, _ := s.Accounts.SignUp(ctx, "ada@example.com", "Correct-Horse-9-Battery", false)
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(s.Outbox.Messages()[0].Body)
	_, err = s.Accounts.ConfirmSignUp(ctx, pending, code)
	fmt.Println("signed up:", err == nil)

	res, err := s.Accounts.Authenticate(ctx, account.Login{Email: "ada@example.com", Password: "Correct-Horse-9-Battery"})
	fmt.Println("signed in:", err == nil, "second factor:", res.SecondFactorRequired)

	// Who acts: the signed-in account. The SDK finds its profile itself.
	me := auth.New(res.Account.ID, auth.MethodPassword, time.Now(), "")
	job := "Engineer"
	p, _ := s.Profiles.Update(ctx, me, profile.Update{JobTitle: &job})
	fmt.Println("job title:", p.JobTitle)

	_, secret, _ := s.Tokens.Create(ctx, me, "CI", []string{"mx:app:read"})
	principal, _ := s.Tokens.Validate(ctx, secret.Reveal())
	fmt.Println("token scopes:", principal.Scopes)

	// A token acts in the host's API, never on the settings: the SDK
	// refuses its caller, whatever its scopes.
	_, err = s.Profiles.Get(ctx, principal.Caller())
	fmt.Println("token reads the profile:", !errors.Is(err, auth.ErrForbidden))
	// Output:
	// signed up: true
	// signed in: true second factor: false
	// job title: Engineer
	// token scopes: [mx:app:read]
	// token reads the profile: false
}

// Deleting the last account of a profile erases everything of it through
// the personal-data sources New registers with the account service.
func ExampleSettings_deletion() {
	ctx := context.Background()
	s, _ := usersettings.New(memory.New(), usersettings.Options{Dev: true})
	pending, _ := s.Accounts.SignUp(ctx, "bo@example.com", "Correct-Horse-9-Battery", false)
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(s.Outbox.Messages()[0].Body)
	acct, _ := s.Accounts.ConfirmSignUp(ctx, pending, code)
	_, secret, _ := s.Sessions.Start(ctx, session.Begin{AccountID: acct.ID, Method: auth.MethodPassword})

	// Deleting is sensitive: the caller signed in moments ago.
	err := s.Accounts.Delete(ctx, auth.New(acct.ID, auth.MethodPassword, time.Now(), ""), acct.ID)
	fmt.Println("deleted:", err == nil)
	_, err = s.Sessions.Validate(ctx, secret.Reveal())
	fmt.Println("session:", err)
	// The account is gone, so no caller can reach the profile (which was
	// erased with it).
	_, err = s.Profiles.Get(ctx, auth.New(acct.ID, auth.MethodPassword, time.Now(), ""))
	fmt.Println("profile:", errors.Is(err, auth.ErrForbidden))
	// Output:
	// deleted: true
	// session: session: invalid session
	// profile: true
}
