package account_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// bcryptOf returns a cheap bcrypt hash of pw.
func bcryptOf(t *testing.T, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// scryptOf returns a cheap scrypt hash of pw in the PHC form.
func scryptOf(t *testing.T, pw string) string {
	t.Helper()
	salt := []byte("sixteen byte slt")
	key, err := scrypt.Key([]byte(pw), salt, 1<<10, 8, 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("$scrypt$ln=10,r=8,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func TestProvisionImportedHashes(t *testing.T) {
	for _, tc := range []struct {
		name string
		hash func(t *testing.T, pw string) string
	}{
		{"bcrypt", bcryptOf},
		{"scrypt", scryptOf},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			imported := tc.hash(t, goodPW)
			res, err := e.svc.Provision(e.ctx, account.ProvisionInput{Email: " Ada@Example.com ", PasswordHash: imported, Marketing: true})
			if err != nil {
				t.Fatalf("Provision: %v", err)
			}
			a := res.Account
			if !res.Created || a.Email != "ada@example.com" || a.Status != account.StatusActive || !a.Marketing || a.PasswordHash != "" || a.SSO() {
				t.Errorf("Provision = %+v, %v; want a new active password account without its hash", res, a)
			}
			if len(e.out.Messages()) != 0 {
				t.Errorf("Provision mailed %d messages, want none", len(e.out.Messages()))
			}
			if _, err := e.st.Profile(e.ctx, a.ProfileID); err != nil {
				t.Errorf("profile of the provisioned account: %v", err)
			}
			ev, _ := e.st.SecurityEvents(e.ctx, a.ProfileID, securitylog.Position{}, 10)
			if len(ev) != 1 || ev[0].Kind != securitylog.AccountProvisioned || ev[0].AccountID != a.ID {
				t.Errorf("security log = %v, want one account_provisioned", ev)
			}
			if h, _ := e.st.History(e.ctx, a.ProfileID, 0, 10); len(h) != 1 || h[0].Item != "account" {
				t.Errorf("history = %v, want the added account", h)
			}

			if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: otherPW}); !errors.Is(err, account.ErrInvalidCredentials) {
				t.Errorf("Authenticate(wrong password) = %v, want ErrInvalidCredentials", err)
			}
			stored, _ := e.st.Account(e.ctx, a.ID)
			if stored.PasswordHash != imported {
				t.Errorf("a failed sign-in changed the imported hash")
			}
			if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW}); err != nil {
				t.Fatalf("Authenticate(imported password): %v", err)
			}
			stored, _ = e.st.Account(e.ctx, a.ID)
			if !strings.HasPrefix(stored.PasswordHash, "$argon2id$") {
				t.Errorf("hash after sign-in = %.10s…, want it rehashed to argon2id", stored.PasswordHash)
			}
			if !stored.PasswordChangedAt.Equal(a.PasswordChangedAt) {
				t.Errorf("rehashing moved PasswordChangedAt")
			}
			if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW}); err != nil {
				t.Errorf("Authenticate after the rehash: %v", err)
			}
		})
	}
}

func TestProvisionFindsExisting(t *testing.T) {
	e := newEnv(t)
	signed := e.signUp("ada@example.com")
	res, err := e.svc.Provision(e.ctx, account.ProvisionInput{Email: "ADA@example.com", PasswordHash: bcryptOf(t, otherPW)})
	if err != nil || res.Created || res.Account.ID != signed.ID {
		t.Fatalf("Provision(existing) = %+v, %v; want the existing account, not created", res, err)
	}
	// Nothing changed: the old password still signs in, the new one not.
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW}); err != nil {
		t.Errorf("Authenticate(old password): %v", err)
	}
	if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: otherPW}); err == nil {
		t.Errorf("the imported hash replaced the existing password")
	}
	// Twice in a row: one account.
	first, err := e.svc.Provision(e.ctx, account.ProvisionInput{Email: "bob@example.com"})
	second, err2 := e.svc.Provision(e.ctx, account.ProvisionInput{Email: "bob@example.com"})
	if err != nil || err2 != nil || !first.Created || second.Created || first.Account.ID != second.Account.ID {
		t.Errorf("Provision twice = %+v %v, %+v %v", first, err, second, err2)
	}
}

func TestProvisionWithoutPassword(t *testing.T) {
	e := newEnv(t)
	res, err := e.svc.Provision(e.ctx, account.ProvisionInput{Email: "ada@example.com", PasswordChangedAt: time.Unix(1, 0)})
	if err != nil || !res.Created {
		t.Fatalf("Provision = %+v, %v", res, err)
	}
	if !res.Account.PasswordChangedAt.Equal(e.clock.Now()) {
		t.Errorf("PasswordChangedAt = %v, want now (no password: the input's time is ignored)", res.Account.PasswordChangedAt)
	}
	for _, pw := range []string{"", goodPW} {
		if _, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: pw}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Errorf("Authenticate(%q) = %v, want ErrInvalidCredentials", pw, err)
		}
	}
	// The host's own sign-in stands in for ours: the person is a caller.
	views, err := e.svc.Accounts(e.ctx, e.as(res.Account.ID))
	if err != nil || len(views) != 1 || views[0].SSO {
		t.Errorf("Accounts = %v, %v; want one password (not SSO) account", views, err)
	}
}

func TestProvisionPasswordChangedAt(t *testing.T) {
	e := newEnv(t)
	at := e.clock.Now().Add(-100 * 24 * time.Hour)
	res, err := e.svc.Provision(e.ctx, account.ProvisionInput{Email: "ada@example.com", PasswordHash: bcryptOf(t, goodPW), PasswordChangedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Account.PasswordChangedAt.Equal(at) {
		t.Errorf("PasswordChangedAt = %v, want %v", res.Account.PasswordChangedAt, at)
	}
	got, err := e.svc.Authenticate(e.ctx, account.Login{Email: "ada@example.com", Password: goodPW})
	if err != nil || !got.PasswordExpired {
		t.Errorf("Authenticate = %v, %v; want the 100-day-old password expired", got, err)
	}
}

func TestProvisionRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   account.ProvisionInput
		want error
		kind errs.Kind
	}{
		{"InvalidEmail", account.ProvisionInput{Email: "Ada <ada@example.com>"}, account.ErrInvalidEmail, errs.Invalid},
		{"SSOCompany", account.ProvisionInput{Email: "ada@sso.example"}, account.ErrSSORequired, errs.Forbidden},
		{"PlaintextPassword", account.ProvisionInput{Email: "ada@example.com", PasswordHash: goodPW}, account.ErrInvalidPasswordHash, errs.Invalid},
		{"UnsupportedHash", account.ProvisionInput{Email: "ada@example.com", PasswordHash: "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/"}, account.ErrInvalidPasswordHash, errs.Invalid},
		{"CostlyHash", account.ProvisionInput{Email: "ada@example.com", PasswordHash: "$scrypt$ln=30,r=8,p=1$c2l4dGVlbiBieXRlIHNsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, account.ErrInvalidPasswordHash, errs.Invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.svc.Provision(e.ctx, tc.in)
			wantErr(t, "Provision", err, tc.want)
			if tc.want == account.ErrInvalidPasswordHash && errs.KindOf(err) != tc.kind {
				t.Errorf("kind of %v = %v, want %v", err, errs.KindOf(err), tc.kind)
			}
			if strings.Contains(fmt.Sprint(err), "ada@") || tc.in.PasswordHash != "" && strings.Contains(fmt.Sprint(err), tc.in.PasswordHash) {
				t.Errorf("error %q quotes a personal value or the hash", err)
			}
			if _, err := e.st.AccountByEmail(e.ctx, "ada@example.com"); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("a refused Provision stored an account")
			}
		})
	}
}

// The string forms of ProvisionInput never print the hash.
func TestProvisionInputString(t *testing.T) {
	in := account.ProvisionInput{Email: "ada@example.com", PasswordHash: "$2b$04$secret"}
	for _, s := range []string{in.String(), fmt.Sprintf("%v %+v %#v", in, in, in)} {
		if strings.Contains(s, "secret") {
			t.Errorf("%q prints the hash", s)
		}
	}
}
