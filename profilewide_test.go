package usersettings_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// With TwoFactorProfileWide, an account without a second factor of its
// own, whose profile's other account has one, signs in with that one:
// it reads the same personal data. Without the option it signs in with
// its password alone.
func TestTwoFactorProfileWide(t *testing.T) {
	for _, wide := range []bool{false, true} {
		ctx := context.Background()
		s, err := usersettings.New(memory.New(), usersettings.Options{Dev: true, Hasher: fastHasher(), TwoFactorProfileWide: wide})
		if err != nil {
			t.Fatal(err)
		}
		first := signUp(t, s, "ada@example.com")
		me := auth.New(first.ID, auth.MethodPassword, s.Now(), "")
		pending, err := s.Accounts.AddAccount(ctx, me, "ada@work.example", pw, false)
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.Accounts.ConfirmAddAccount(ctx, me, pending, lastCode(t, s.Outbox, "ada@work.example"))
		if err != nil {
			t.Fatal(err)
		}
		enr, err := s.TwoFactor.BeginAuthenticator(ctx, me, "Settings", "")
		if err != nil {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCode(enr.Secret.Reveal(), s.Now())
		if _, err := s.TwoFactor.ConfirmAuthenticator(ctx, me, code); err != nil {
			t.Fatal(err)
		}
		res, err := s.Accounts.Authenticate(ctx, account.Login{Email: "ada@work.example", Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		if res.SecondFactorRequired != wide {
			t.Errorf("wide=%t: the account without a second factor of its own: SecondFactorRequired %t", wide, res.SecondFactorRequired)
		}
		want := twofactor.SignInFactor{Method: twofactor.MethodNone}
		if wide {
			want.Method = twofactor.MethodAuthenticator
		}
		if f, err := s.TwoFactor.SignInFactor(ctx, second.ID); err != nil || f != want {
			t.Errorf("wide=%t: SignInFactor of the account without its own = %+v, %v; want %+v", wide, f, err, want)
		}
		next, _ := totp.GenerateCode(enr.Secret.Reveal(), s.Now().Add(30*time.Second))
		err = s.TwoFactor.Verify(ctx, second.ID, next, auth.Client{})
		switch {
		case wide && err != nil:
			t.Errorf("wide: Verify with the profile's authenticator = %v, want nil", err)
		case !wide && !errors.Is(err, twofactor.ErrNotEnabled):
			t.Errorf("not wide: Verify = %v, want ErrNotEnabled", err)
		}
		if wide {
			if err := s.TwoFactor.Verify(ctx, second.ID, "000000", auth.Client{}); !errors.Is(err, errs.ErrInvalidCode) {
				t.Errorf("wide: a wrong code = %v, want ErrInvalidCode", err)
			}
		}
	}
}
