package usersettings_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/session"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore"
	"github.com/seed-a97ca23f/usersettings/storage/sqlstore/sqlite"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// Both adapters of the SDK serve as the facade's Store.
var (
	_ usersettings.Store = (*memory.Store)(nil)
	_ usersettings.Store = (*sqlstore.Store)(nil)
)

const pw = "Correct-Horse-9-Battery"

// lastCode returns the one-time code last mailed to the address.
func lastCode(t *testing.T, o *notify.Outbox, to string) string {
	t.Helper()
	m, ok := o.Last(to)
	if !ok {
		t.Fatalf("no mail to %s", to)
	}
	return usersettingstest.MailCode(t, "the mail to "+to, m.Body)
}

// fastHasher hashes with small argon2id parameters, for tests.
func fastHasher() *password.Hasher {
	return password.NewHasher(password.HasherConfig{Params: password.Params{Memory: 1024, Time: 1, Threads: 1}})
}

// signUp signs ada up and returns her account.
func signUp(t *testing.T, s *usersettings.Settings, email string) account.Account {
	t.Helper()
	ctx := context.Background()
	pending, err := s.Accounts.SignUp(ctx, email, pw, false)
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	a, err := s.Accounts.ConfirmSignUp(ctx, pending, lastCode(t, s.Outbox, email))
	if err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	return a
}

func TestNewErrors(t *testing.T) {
	if _, err := usersettings.New(nil, usersettings.Options{}); err == nil {
		t.Error("New(nil store) succeeded")
	}
	key := bytes.Repeat([]byte{7}, 32)
	for _, tc := range []struct {
		name string
		opts usersettings.Options
	}{
		{"no keys", usersettings.Options{}},
		{"no code key", usersettings.Options{TwoFactorKeys: usersettings.KeyRing{key}}},
		{"no two-factor key", usersettings.Options{CodeKeys: usersettings.KeyRing{key}}},
		{"short code key", usersettings.Options{CodeKeys: usersettings.KeyRing{key[:31]}, TwoFactorKeys: usersettings.KeyRing{key}}},
		{"short old two-factor key", usersettings.Options{CodeKeys: usersettings.KeyRing{key}, TwoFactorKeys: usersettings.KeyRing{key, key[:16]}}},
	} {
		if _, err := usersettings.New(memory.New(), tc.opts); !errors.Is(err, usersettings.ErrWeakKey) {
			t.Errorf("New with %s = %v, want ErrWeakKey", tc.name, err)
		}
	}
	long := append(key, key...)
	if _, err := usersettings.New(memory.New(), usersettings.Options{CodeKeys: usersettings.KeyRing{long}, TwoFactorKeys: usersettings.KeyRing{long}}); err == nil {
		t.Error("New with a 64-byte two-factor key succeeded; AES-256 needs exactly 32")
	}
	if _, err := usersettings.New(memory.New(), usersettings.Options{CodeKeys: usersettings.KeyRing{long}, TwoFactorKeys: usersettings.KeyRing{key}}); err != nil {
		t.Errorf("New with a 64-byte code key = %v, want nil", err)
	}
	if _, err := usersettings.New(memory.New(), usersettings.Options{Dev: true}); err != nil {
		t.Errorf("New in Dev mode without keys = %v, want nil", err)
	}
	bad := []token.Scope{{Name: "a"}, {Name: "a"}}
	if _, err := usersettings.New(memory.New(), usersettings.Options{Dev: true, Scopes: bad}); !errors.Is(err, token.ErrScopeExists) {
		t.Errorf("New with a repeated scope = %v, want ErrScopeExists", err)
	}
	clash := token.Scheme{TokenPrefix: "key_", APIKeyPrefix: "key_"}
	if _, err := usersettings.New(memory.New(), usersettings.Options{Dev: true, TokenScheme: clash}); !errors.Is(err, token.ErrInvalidScheme) {
		t.Errorf("New with two equal prefixes = %v, want ErrInvalidScheme", err)
	}
}

// TestTokenScheme checks Options.TokenScheme reaches the token service
// and, through it, token.Middleware.
func TestTokenScheme(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	s, err := usersettings.New(memory.New(), usersettings.Options{
		Dev: true, Now: func() time.Time { return now }, Hasher: fastHasher(),
		Scopes:      []token.Scope{{Name: "mx:app:read", Description: "Read apps"}},
		TokenScheme: token.Scheme{Authorization: "Bearer", TokenPrefix: "acme_", UsernameHeader: "X-User", APIKeyHeader: "X-Key"},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := signUp(t, s, "ada@example.com")
	_, secret, err := s.Tokens.Create(ctx, auth.New(a.ID, auth.MethodPassword, now, ""), "ci", []string{"mx:app:read"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret.Reveal(), "acme_") {
		t.Errorf("token %q lacks the prefix acme_", secret.Reveal())
	}
	if got := s.Tokens.Scheme(); got.APIKeyPrefix != token.APIKeyPrefix || got.UsernameHeader != "X-User" {
		t.Errorf("Tokens.Scheme() = %+v, want the defaults for the empty fields", got)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})
	h := token.Middleware(s.Tokens, ok)
	for auth, want := range map[string]int{"Bearer " + secret.Reveal(): 200, "mxtoken " + secret.Reveal(): 403} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("%s…: %d, want %d", auth[:12], w.Code, want)
		}
	}
}

// TestWiring checks what New shares between services: the one outbox and
// clock, the scope registry, the second factor of sign-in and the erasers
// of account deletion (sessions and tokens go with the account).
func TestWiring(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	st, db, err := sqlite.OpenStore(ctx, t.TempDir()+"/wiring.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(); _ = db.Close() })
	s, err := usersettings.New(st, usersettings.Options{
		Now: func() time.Time { return now }, Hasher: fastHasher(),
		CodeKeys:      usersettings.KeyRing{bytes.Repeat([]byte{2}, 32)},
		TwoFactorKeys: usersettings.KeyRing{bytes.Repeat([]byte{1}, 32)},
		Scopes:        []token.Scope{{Name: "mx:app:read", Description: "Read apps"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := signUp(t, s, "ada@example.com")
	if m, _ := s.Outbox.Last("ada@example.com"); !m.SentAt.Equal(now) {
		t.Errorf("outbox SentAt = %v, want the injected clock's %v", m.SentAt, now)
	}
	if got := s.Scopes.Scopes(); len(got) != 1 || got[0].Name != "mx:app:read" {
		t.Errorf("Scopes = %v, want mx:app:read", got)
	}
	if _, _, err := s.Tokens.Create(ctx, auth.New(a.ID, auth.MethodPassword, now, ""), "ci", []string{"mx:app:read"}); err != nil {
		t.Fatalf("token Create: %v", err)
	}
	_, secret, err := s.Sessions.Start(ctx, session.Begin{AccountID: a.ID, Method: auth.MethodPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.TwoFactor.BeginAuthenticator(ctx, auth.New(a.ID, auth.MethodPassword, now, ""), s.Issuer, a.Email); err != nil {
		t.Fatalf("BeginAuthenticator: %v", err)
	}
	res, err := s.Accounts.Authenticate(ctx, account.Login{Email: "ada@example.com", Password: pw})
	if err != nil || res.SecondFactorRequired {
		t.Errorf("Authenticate with a pending enrolment = %+v, %v; want no second factor yet", res, err)
	}
	if err := s.Accounts.Delete(ctx, auth.New(a.ID, auth.MethodPassword, now, ""), a.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Sessions.Validate(ctx, secret.Reveal()); err == nil {
		t.Error("session still valid after the account was deleted")
	}
	if list, err := st.TokensOfAccount(ctx, a.ID); err != nil || len(list) != 0 {
		t.Errorf("tokens after deletion = %v, %v; want none", list, err)
	}
}

// TestSecondFactorAndDeactivation checks that the two-factor service is the
// account service's second factor and checks passwords through it.
func TestSecondFactorAndDeactivation(t *testing.T) {
	ctx := context.Background()
	s, err := usersettings.New(memory.New(), usersettings.Options{Dev: true, Hasher: fastHasher()})
	if err != nil {
		t.Fatal(err)
	}
	a := signUp(t, s, "bob@example.com")
	now := s.Now()
	enr, err := s.TwoFactor.BeginAuthenticator(ctx, auth.New(a.ID, auth.MethodPassword, now, ""), s.Issuer, a.Email)
	if err != nil {
		t.Fatal(err)
	}
	code := totpNow(t, enr.Secret.Reveal(), s.Now())
	if _, err := s.TwoFactor.ConfirmAuthenticator(ctx, auth.New(a.ID, auth.MethodPassword, now, ""), code); err != nil {
		t.Fatalf("ConfirmAuthenticator: %v", err)
	}
	res, err := s.Accounts.Authenticate(ctx, account.Login{Email: "bob@example.com", Password: pw})
	if err != nil || !res.SecondFactorRequired {
		t.Errorf("Authenticate = %+v, %v; want SecondFactorRequired", res, err)
	}
	if err := s.TwoFactor.Deactivate(ctx, auth.New(a.ID, auth.MethodPassword, now, ""), twofactorProof("wrong password")); err == nil {
		t.Error("Deactivate with a wrong password succeeded")
	}
	if err := s.TwoFactor.Deactivate(ctx, auth.New(a.ID, auth.MethodPassword, now, ""), twofactorProof(pw)); err != nil {
		t.Errorf("Deactivate with the password: %v", err)
	}
}

func totpNow(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func twofactorProof(pw string) twofactor.Proof { return twofactor.Proof{Password: pw} }

// TestLicence checks that the module carries its licence and the notice of
// the third-party password list it embeds.
func TestLicence(t *testing.T) {
	lic, err := os.ReadFile("LICENSE")
	if err != nil || !strings.Contains(string(lic), "Apache License") || !strings.Contains(string(lic), "Version 2.0") {
		t.Fatalf("LICENSE: %v; want the Apache License 2.0", err)
	}
	notice, err := os.ReadFile("NOTICE")
	if err != nil || !strings.Contains(string(notice), "zxcvbn") || !strings.Contains(string(notice), "MIT License") ||
		!strings.Contains(string(notice), "Dan Wheeler and Dropbox") {
		t.Fatalf("NOTICE: %v; want the MIT notice of the zxcvbn password list", err)
	}
}
