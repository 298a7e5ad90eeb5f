package account_test

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// A host that already has users provisions their accounts with the
// hashes it keeps; the first sign-in replaces a bcrypt hash by argon2id.
func ExampleService_Provision() {
	ctx := context.Background()
	st := memory.New()
	outbox := notify.NewOutbox()
	codes := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: outbox})
	accounts := account.NewService(account.Config{Accounts: st, Profiles: st, History: st, Tx: st, Codes: codes})

	hash, _ := bcrypt.GenerateFromPassword([]byte("Analytical-Engine-1843"), bcrypt.MinCost) // from the host's users table
	res, err := accounts.Provision(ctx, account.ProvisionInput{Email: "Ada@Example.com", PasswordHash: string(hash)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", res.Created, res.Account.Email)

	again, _ := accounts.Provision(ctx, account.ProvisionInput{Email: "ada@example.com"})
	fmt.Println("created again:", again.Created, again.Account.ID == res.Account.ID)

	_, err = accounts.Authenticate(ctx, account.Login{Email: "ada@example.com", Password: "Analytical-Engine-1843"})
	stored, _ := st.Account(ctx, res.Account.ID)
	fmt.Println("signed in:", err == nil, "hash:", stored.PasswordHash[:10])

	_, err = accounts.Provision(ctx, account.ProvisionInput{Email: "bob@example.com", PasswordHash: "plaintext!"})
	fmt.Println(err)
	fmt.Println("mails sent:", len(outbox.Messages()))
	// Output:
	// created: true ada@example.com
	// created again: false true
	// signed in: true hash: $argon2id$
	// account: invalid imported password hash: password: malformed hash
	// mails sent: 0
}

// A signed-in person changes their login email with a code mailed to
// the new address; the old address is told.
func ExampleService_RequestEmailChange() {
	ctx := context.Background()
	st := memory.New()
	outbox := notify.NewOutbox()
	codes := verification.NewService(verification.Config{Store: st, Tx: st, Mailer: outbox})
	accounts := account.NewService(account.Config{
		Accounts: st, Profiles: st, History: st, Tx: st, Codes: codes, Notices: &notify.Notifier{Mailer: outbox},
	})
	res, _ := accounts.Provision(ctx, account.ProvisionInput{Email: "ada@example.com"})
	// The host signed Ada in just now.
	caller := auth.Caller{AccountID: res.Account.ID, Method: auth.MethodPassword, AuthenticatedAt: time.Now(), SessionID: "host-session-1"}

	pendingID, err := accounts.RequestEmailChange(ctx, caller, res.Account.ID, "ada@lovelace.example")
	if err != nil {
		fmt.Println(err)
		return
	}
	mail, _ := outbox.Last("ada@lovelace.example")
	code := regexp.MustCompile(`\d{6}`).FindString(mail.Body)
	a, err := accounts.ConfirmEmailChange(ctx, caller, pendingID, code)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("login email:", a.Email)
	notice, _ := outbox.Last("ada@example.com")
	fmt.Println("old address told:", notice.Subject)
	// Output:
	// login email: ada@lovelace.example
	// old address told: Your login email was changed
}
