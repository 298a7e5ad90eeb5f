package twofactor_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

func ExampleValidatePhone() {
	for _, phone := range []string{"+31612345678", "06 12345678"} {
		fmt.Println(phone, twofactor.ValidatePhone(phone))
	}
	// Output:
	// +31612345678 <nil>
	// 06 12345678 twofactor: invalid phone number
}

func ExampleMaskPhone() {
	fmt.Println(twofactor.MaskPhone("+31612345678"))
	// Output: +31*******78
}

func ExampleSecret() {
	enr := twofactor.Enrollment{Secret: twofactor.Secret{}}
	fmt.Printf("%v %s %+v\n", enr.Secret, enr.URL, enr)
	// Output: [REDACTED] [REDACTED] twofactor.Enrollment{[REDACTED]}
}

// exampleStore returns a memory store holding one account, acc_ada.
func exampleStore(ctx context.Context, now time.Time) *memory.Store {
	st := memory.New()
	_ = st.CreateProfile(ctx, profile.Profile{ID: "prf_ada", Name: "Ada", CreatedAt: now})
	_ = st.CreateAccount(ctx, account.Account{
		ID: "acc_ada", ProfileID: "prf_ada", Email: "ada@example.com", Status: account.StatusActive, CreatedAt: now,
	})
	return st
}

// ada is the person of acc_ada, signed in with a password a minute
// before the examples' clock time: fresh enough to enrol.
var ada = auth.New("acc_ada", auth.MethodPassword, time.Date(2024, 3, 1, 11, 59, 0, 0, time.UTC), "")

// Enrol an authenticator app, then sign in with its codes. The example
// computes the app's code itself.
func ExampleService_BeginAuthenticator() {
	ctx := context.Background()
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	st := exampleStore(ctx, now)
	tf := twofactor.NewService(twofactor.Config{
		Store: st, Accounts: st, Tx: st, History: st,
		Key: []byte("an example key of 32 bytes......"), // from the host's secret store
		Now: func() time.Time { return now },
	})

	enr, err := tf.BeginAuthenticator(ctx, ada, "Example", "ada@example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	// The person scans enr.QRPNG; the app shows a code.
	code, _ := totp.GenerateCode(enr.Secret.Reveal(), now)
	recovery, err := tf.ConfirmAuthenticator(ctx, ada, code)
	fmt.Println(len(recovery), "recovery codes,", err)

	required, _ := tf.Required(ctx, "acc_ada")
	fmt.Println("second factor required:", required)

	// The confirming code is used up; the next time step's code works once.
	now = now.Add(30 * time.Second)
	code, _ = totp.GenerateCode(enr.Secret.Reveal(), now)
	fmt.Println(tf.Verify(ctx, "acc_ada", code, auth.Client{}))
	fmt.Println(tf.Verify(ctx, "acc_ada", code, auth.Client{}))
	// A recovery code works once, in place of a code.
	fmt.Println(tf.Verify(ctx, "acc_ada", recovery[0], auth.Client{}))
	// Output:
	// 10 recovery codes, <nil>
	// second factor required: true
	// <nil>
	// invalid code
	// <nil>
}

// Deactivate with a current code; the password works too when the service
// has a PasswordChecker.
func ExampleService_Deactivate() {
	ctx := context.Background()
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	st := exampleStore(ctx, now)
	tf := twofactor.NewService(twofactor.Config{
		Store: st, Accounts: st, Tx: st, History: st,
		Key: []byte("an example key of 32 bytes......"),
		Now: func() time.Time { return now },
	})
	enr, _ := tf.BeginAuthenticator(ctx, ada, "Example", "ada@example.com")
	code, _ := totp.GenerateCode(enr.Secret.Reveal(), now)
	if _, err := tf.ConfirmAuthenticator(ctx, ada, code); err != nil {
		fmt.Println(err)
		return
	}

	err := tf.Deactivate(ctx, ada, twofactor.Proof{Code: "000000"})
	fmt.Println(errors.Is(err, errs.ErrInvalidCode))
	now = now.Add(30 * time.Second)
	code, _ = totp.GenerateCode(enr.Secret.Reveal(), now)
	fmt.Println(tf.Deactivate(ctx, ada, twofactor.Proof{Code: code}))
	status, _ := tf.Status(ctx, ada)
	fmt.Println(status.Method)
	// Output:
	// true
	// <nil>
	// none
}
