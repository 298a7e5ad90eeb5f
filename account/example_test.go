package account_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// Sign up with the code read from an in-memory outbox, then sign in.
func Example() {
	ctx := context.Background()
	st := memory.New()
	outbox := notify.NewOutbox()
	codes := verification.NewService(verification.Config{
		Store: st, Tx: st, Mailer: outbox, Key: []byte("a 32-byte secret kept by the host"),
	})
	accounts := account.NewService(account.Config{
		Accounts: st, Profiles: st, History: st, Tx: st, Codes: codes, Notices: &notify.Notifier{Mailer: outbox},
	})

	_, err := accounts.SignUp(ctx, "ada@example.com", "password", false)
	var pe *password.PolicyError
	if errors.As(err, &pe) {
		fmt.Println("refused:", pe.Violations)
	}

	pendingID, err := accounts.SignUp(ctx, "Ada@Example.com", "Analytical-Engine-1843", true)
	if err != nil {
		fmt.Println(err)
		return
	}
	mail, _ := outbox.Last("ada@example.com")
	code := regexp.MustCompile(`\d{6}`).FindString(mail.Body)
	acct, err := accounts.ConfirmSignUp(ctx, pendingID, code)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("account:", acct.Email, acct.Status)

	res, err := accounts.Authenticate(ctx, account.Login{Email: "ada@example.com", Password: "Analytical-Engine-1843"})
	fmt.Println("signed in:", err == nil, "expired:", res.PasswordExpired)
	_, err = accounts.Authenticate(ctx, account.Login{Email: "nobody@example.com", Password: "Analytical-Engine-1843"})
	fmt.Println("unknown:", err)
	// Output:
	// refused: [too_short no_upper no_digit no_special]
	// account: ada@example.com active
	// signed in: true expired: false
	// unknown: account: invalid credentials
}
