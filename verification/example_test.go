package verification_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/verification"
)

func Example() {
	ctx := context.Background()
	st := memory.New()
	outbox := notify.NewOutbox()
	codes := verification.NewService(verification.Config{
		Store: st, Tx: st, Mailer: outbox,
		Key: []byte("a 32-byte secret kept by the host"),
	})

	if err := codes.Issue(ctx, verification.PurposeSignUp, "pnd_1", "ada@example.com"); err != nil {
		fmt.Println(err)
		return
	}
	m, _ := outbox.Last("ada@example.com")
	code := regexp.MustCompile(`\d{6}`).FindString(m.Body)
	fmt.Println("subject:", m.Subject)

	// A merge code right after it goes out at once: each purpose has a
	// burst of its own (3 codes in 10 minutes).
	err := codes.Issue(ctx, verification.PurposeMerge, "mrg_1", "ada@example.com")
	fmt.Println("merge code:", err)
	for range 3 { // two more merge codes fit the burst, a third does not
		err = codes.Issue(ctx, verification.PurposeMerge, "mrg_1", "ada@example.com")
	}
	fmt.Println("throttled:", errors.Is(err, verification.ErrThrottled))

	// The code of a sign-up does not reset a password.
	_, err = codes.Check(ctx, verification.PurposePasswordReset, "pnd_1", code)
	fmt.Println("other purpose:", err)

	err = codes.Redeem(ctx, verification.PurposeSignUp, "pnd_1", code, func(ctx context.Context) error {
		fmt.Println("creating the account")
		return nil
	})
	fmt.Println("redeemed:", err)

	err = codes.Redeem(ctx, verification.PurposeSignUp, "pnd_1", code, func(ctx context.Context) error { return nil })
	fmt.Println("again:", errors.Is(err, errs.ErrInvalidCode))
	// Output:
	// subject: Confirm your email address
	// merge code: <nil>
	// throttled: true
	// other purpose: invalid code
	// creating the account
	// redeemed: <nil>
	// again: true
}
