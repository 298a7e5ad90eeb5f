package passkey_test

import (
	"context"
	"fmt"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/passkey"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// A finish consumes its ceremony: a second finish of the same ceremony
// (a replayed response) is refused before any verification.
func ExampleService_FinishSignIn() {
	ctx := context.Background()
	s, _ := usersettings.New(memory.New(), usersettings.Options{Dev: true,
		PasskeyRPID: "example.com", PasskeyOrigins: []string{"https://example.com"}})
	cer, err := s.Passkeys.BeginSignIn(ctx) // keep cer.ID in a pre-authentication cookie
	if err != nil {
		fmt.Println(err)
		return
	}
	// The page passes cer.Options to navigator.credentials.get and posts
	// back JSON.stringify(credential); here, a malformed answer.
	_, err = s.Passkeys.FinishSignIn(ctx, passkey.SignInFinish{CeremonyID: cer.ID, Response: []byte(`{}`)})
	fmt.Println(err != nil)
	_, err = s.Passkeys.FinishSignIn(ctx, passkey.SignInFinish{CeremonyID: cer.ID, Response: []byte(`{}`)})
	fmt.Println(err)
	// Output:
	// true
	// passkey: ceremony unknown, used or expired
}

// Without a relying party the service is off: pages hide passkeys.
func ExampleService_Enabled() {
	s, _ := usersettings.New(memory.New(), usersettings.Options{Dev: true})
	fmt.Println(s.Passkeys.Enabled())
	_, err := s.Passkeys.BeginSignIn(context.Background())
	fmt.Println(err)
	// Output:
	// false
	// passkey: passkeys are not configured
}
