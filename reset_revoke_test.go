package usersettings_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/token"
)

// resetWorld is an account with a personal access token and an API key,
// both used once (the key is in the cache), on the memory store.
type resetWorld struct {
	s        *usersettings.Settings
	now      *time.Time
	a        account.Account
	pat, key string
	events   []securitylog.Event
}

func newResetWorld(t *testing.T) *resetWorld {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	w := &resetWorld{now: &now}
	s, err := usersettings.New(memory.New(), usersettings.Options{
		Dev: true, Hasher: fastHasher(), Now: func() time.Time { return *w.now }, APIKeyCacheTTL: time.Hour,
		Scopes:  []token.Scope{{Name: "mx:app:read", Description: "Read apps"}},
		OnEvent: func(_ context.Context, e securitylog.Event) { w.events = append(w.events, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	w.s = s
	w.a = signUp(t, s, "ada@example.com")
	me := auth.New(w.a.ID, auth.MethodPassword, now, "")
	_, pat, err := s.Tokens.Create(ctx, me, "ci deploy", []string{"mx:app:read"})
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := s.Tokens.CreateAPIKey(ctx, me, "build server")
	if err != nil {
		t.Fatal(err)
	}
	w.pat, w.key = pat.Reveal(), key.Reveal()
	if got := w.status(); got != [2]int{200, 200} {
		t.Fatalf("before: token and key answer %v, want 200 each", got)
	}
	return w
}

// status returns what token.AnyMiddleware answers the token and the key.
func (w *resetWorld) status() [2]int {
	h := token.AnyMiddleware(w.s.Tokens, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	var out [2]int
	for i, set := range []func(*http.Request){
		func(r *http.Request) { r.Header.Set("Authorization", "mxtoken "+w.pat) },
		func(r *http.Request) {
			r.Header.Set("Mendix-Username", w.a.Email)
			r.Header.Set("Mendix-ApiKey", w.key)
		},
	} {
		r := httptest.NewRequest("GET", "/api", nil)
		set(r)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		out[i] = rec.Code
		if rec.Code == http.StatusForbidden && rec.Body.String() != `{"error":""}` {
			out[i] = -1
		}
	}
	return out
}

// TestResetRevokesTokensAndKeys checks that both password resets, the
// account recoveries, revoke every token and API key of the account at
// once (the key was cached), record each revocation with the client,
// and list them in the reset's notice; a voluntary password change keeps
// them.
func TestResetRevokesTokensAndKeys(t *testing.T) {
	ctx := context.Background()
	client := auth.Client{IP: "203.0.113.50", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
	const next = "Another-Horse-7-Battery"
	resets := map[string]func(t *testing.T, w *resetWorld) error{
		"emailed code": func(t *testing.T, w *resetWorld) error {
			if err := w.s.Accounts.RequestPasswordReset(ctx, w.a.Email); err != nil {
				t.Fatal(err)
			}
			_, err := w.s.Accounts.ResetPassword(ctx, w.a.Email, lastCode(t, w.s.Outbox, w.a.Email), next, client)
			return err
		},
		"recovery email": func(t *testing.T, w *resetWorld) error {
			if _, err := w.s.Profiles.SetRecoveryEmail(ctx, auth.Admin{ID: "support", Reason: "test"}, w.a.ProfileID, "ada@home.example"); err != nil {
				t.Fatal(err)
			}
			if err := w.s.Accounts.RequestRecoveryReset(ctx, "ada@home.example"); err != nil {
				t.Fatal(err)
			}
			code := lastCode(t, w.s.Outbox, "ada@home.example")
			_, err := w.s.Accounts.ResetPasswordByRecovery(ctx, "ada@home.example", w.a.Email, code, next, client)
			return err
		},
	}
	for name, reset := range resets {
		t.Run(name, func(t *testing.T) {
			w := newResetWorld(t)
			*w.now = w.now.Add(2 * time.Minute) // past the code throttle
			w.events = nil
			if err := reset(t, w); err != nil {
				t.Fatalf("reset: %v", err)
			}
			if got := w.status(); got != [2]int{403, 403} {
				t.Errorf("after the reset: token and key answer %v, want 403 {\"error\":\"\"} each", got)
			}
			if _, err := w.s.Tokens.Validate(ctx, w.pat); err == nil {
				t.Error("Validate accepts the token after the reset")
			}
			var revoked []string
			for _, e := range w.events {
				if e.Kind == securitylog.TokenDeleted || e.Kind == securitylog.APIKeyDeleted || e.Kind == securitylog.PasswordReset {
					revoked = append(revoked, string(e.Kind)+" "+e.Detail)
					if e.IP != client.IP || e.Device != "Firefox on Linux" {
						t.Errorf("%s event: IP %q, device %q; want the reset's client", e.Kind, e.IP, e.Device)
					}
				}
			}
			slices.Sort(revoked)
			if len(revoked) != 3 || revoked[0] != "api_key_deleted build server" || revoked[2] != "token_deleted ci deploy" {
				t.Errorf("events = %q, want the reset, the token and the key deleted", revoked)
			}
			m, _ := w.s.Outbox.Last(w.a.Email)
			for _, want := range []string{"Your password was reset", "- personal access token \"ci deploy\"\n", "- API key \"build server\"\n"} {
				if !strings.Contains(m.Subject+"\n"+m.Body, want) {
					t.Errorf("the reset notice lacks %q:\n%s\n%s", want, m.Subject, m.Body)
				}
			}
			c, err := w.s.Tokens.Collect(ctx, w.a.ID)
			if err != nil || len(c.Tokens)+len(c.APIKeys) != 0 {
				t.Errorf("Collect after the reset = %+v, %v; want nothing", c, err)
			}
		})
	}
}

// TestPasswordChangeKeepsTokensAndKeys checks that a voluntary password
// change keeps the account's tokens and API keys (the person reviews
// them); its notice is the password-changed one.
func TestPasswordChangeKeepsTokensAndKeys(t *testing.T) {
	w := newResetWorld(t)
	me := auth.New(w.a.ID, auth.MethodPassword, *w.now, "")
	*w.now = w.now.Add(2 * time.Minute) // past the courier's pace for the address
	if err := w.s.Accounts.ChangePassword(context.Background(), me, pw, "Another-Horse-7-Battery"); err != nil {
		t.Fatal(err)
	}
	if got := w.status(); got != [2]int{200, 200} {
		t.Errorf("after a password change: token and key answer %v, want 200 each", got)
	}
	if m, _ := w.s.Outbox.Last(w.a.Email); m.Subject != "Your password was changed" {
		t.Errorf("last notice %q, want the password-changed one", m.Subject)
	}
}
