package token_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/history"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
	"github.com/seed-a97ca23f/usersettings/token"
)

func TestCreateAndValidate(t *testing.T) {
	f := newFixture(t)
	tok, secret, err := f.svc.Create(f.ctx, f.as(f.acct.ID), "  CI pipeline ", []string{"Projects:Write ", "projects:read", "projects:read"})
	if err != nil {
		t.Fatal(err)
	}
	want := token.Token{ID: tok.ID, AccountID: f.acct.ID, Name: "CI pipeline",
		Scopes: []string{"projects:read", "projects:write"}, Last4: secret.Reveal()[token.SecretLen-4:], CreatedAt: t0}
	if diff := cmp.Diff(want, tok); diff != "" {
		t.Errorf("Create token (-want +got):\n%s", diff)
	}
	p, err := f.svc.Validate(f.ctx, secret.Reveal())
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	wantP := token.Principal{AccountID: f.acct.ID, ProfileID: f.acct.ProfileID, TokenID: tok.ID,
		Kind: token.KindToken, Scopes: []string{"projects:read", "projects:write"}}
	if diff := cmp.Diff(wantP, p); diff != "" {
		t.Errorf("Validate principal (-want +got):\n%s", diff)
	}
	got, err := f.svc.Get(f.ctx, f.as(f.acct.ID), tok.ID)
	if err != nil || !got.LastUsedAt.Equal(t0) {
		t.Errorf("Get after use = %+v, %v; want LastUsedAt %v", got, err, t0)
	}
	hist, _ := f.st.History(f.ctx, f.acct.ProfileID, 0, 10)
	if len(hist) != 1 || hist[0].Item != "token" || hist[0].Action != history.ActionAdded || hist[0].Detail != "CI pipeline" {
		t.Errorf("history = %+v, want one token added entry", hist)
	}
	msgs := f.outbox.Messages()
	if len(msgs) != 1 || msgs[0].To != f.acct.Email || !strings.Contains(msgs[0].Body, "CI pipeline") {
		t.Errorf("notices = %+v, want one to %s naming the token", msgs, f.acct.Email)
	}
	for _, m := range msgs {
		if strings.Contains(m.Subject+m.Body, secret.Reveal()) {
			t.Error("the notice holds the secret")
		}
	}
}

func TestCreateRefuses(t *testing.T) {
	f := newFixture(t)
	f.create(t, "taken")
	other := f.addAccount(t, "acc_bob", "bob@example.com")
	off := f.addAccount(t, "acc_off", "off@example.com")
	off.Status = account.StatusDeactivated
	if err := f.st.UpdateAccount(f.ctx, off); err != nil {
		t.Fatal(err)
	}
	read := []string{"projects:read"}
	tests := []struct {
		name    string
		account string
		tname   string
		scopes  []string
		opts    []token.CreateOption
		want    error
	}{
		{"empty name", f.acct.ID, "  ", read, nil, token.ErrInvalidName},
		{"long name", f.acct.ID, strings.Repeat("é", 101), read, nil, token.ErrInvalidName},
		{"control char", f.acct.ID, "a\nb", read, nil, token.ErrInvalidName},
		{"no scope", f.acct.ID, "x", nil, nil, token.ErrNoScope},
		{"blank scope", f.acct.ID, "x", []string{" "}, nil, token.ErrNoScope},
		{"name taken", f.acct.ID, "taken", read, nil, token.ErrNameTaken},
		{"deactivated", off.ID, "x", read, nil, token.ErrAccountInactive},
		{"deactivated is forbidden", off.ID, "x", read, nil, auth.ErrForbidden},
		{"unknown account", "acc_nobody", "x", read, nil, auth.ErrForbidden},
		{"past expiry", f.acct.ID, "x", read, []token.CreateOption{token.WithExpiry(t0)}, token.ErrInvalidExpiry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s, err := f.svc.Create(f.ctx, f.as(tt.account), tt.tname, tt.scopes, tt.opts...)
			if !errors.Is(err, tt.want) || !s.IsZero() {
				t.Errorf("Create = %v, %v; want %v and no secret", s, err, tt.want)
			}
		})
	}
	_, _, err := f.svc.Create(f.ctx, f.as(f.acct.ID), "x", []string{"projects:read", "admin", "Root"})
	var u *token.UnknownScopeError
	if !errors.As(err, &u) || !cmp.Equal(u.Scopes, []string{"admin", "root"}) {
		t.Errorf("Create with unknown scopes = %v, want UnknownScopeError{admin root}", err)
	}
	if _, _, err := f.svc.Create(f.ctx, f.as(other.ID), "taken", read); err != nil {
		t.Errorf("another account reusing a name: %v", err)
	}
	if ts, _ := f.svc.List(f.ctx, f.as(f.acct.ID)); len(ts) != 1 {
		t.Errorf("ann has %d tokens after refusals, want 1", len(ts))
	}
}

func TestCallersRefused(t *testing.T) {
	f := newFixture(t)
	tok, s := f.create(t, "mine")
	key, _ := f.createKey(t, "my key")
	p, err := f.svc.Validate(f.ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	stale := auth.New(f.acct.ID, auth.MethodPassword, f.clock.Now().Add(-auth.DefaultFreshFor), "")
	for _, c := range []struct {
		name   string
		caller auth.Caller
		want   error
	}{
		{"stale", stale, auth.ErrReauthenticationRequired},
		{"token", p.Caller(), auth.ErrForbidden},
		{"api key", auth.Caller{AccountID: f.acct.ID, Method: auth.MethodAPIKey}, auth.ErrForbidden},
	} {
		if _, _, err := f.svc.Create(f.ctx, c.caller, "new", []string{"catalog"}); !errors.Is(err, c.want) {
			t.Errorf("%s: Create = %v, want %v", c.name, err, c.want)
		}
		if _, _, err := f.svc.CreateAPIKey(f.ctx, c.caller, "new"); !errors.Is(err, c.want) {
			t.Errorf("%s: CreateAPIKey = %v, want %v", c.name, err, c.want)
		}
	}
	for name, err := range map[string]error{
		"List":         func() error { _, err := f.svc.List(f.ctx, p.Caller()); return err }(),
		"ListAPIKeys":  func() error { _, err := f.svc.ListAPIKeys(f.ctx, p.Caller()); return err }(),
		"Get":          func() error { _, err := f.svc.Get(f.ctx, p.Caller(), tok.ID); return err }(),
		"Delete":       f.svc.Delete(f.ctx, p.Caller(), tok.ID),
		"RevokeAPIKey": f.svc.RevokeAPIKey(f.ctx, p.Caller(), key.ID),
	} {
		if !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("token caller: %s = %v, want auth.ErrForbidden", name, err)
		}
	}
	bob := f.addAccount(t, "acc_bob", "bob@example.com")
	if err := f.svc.RevokeAPIKey(f.ctx, f.as(bob.ID), key.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("RevokeAPIKey of another account = %v, want ErrNotFound", err)
	}
	if ks, _ := f.svc.ListAPIKeys(f.ctx, f.as(f.acct.ID)); len(ks) != 1 {
		t.Errorf("keys after refusals = %d, want 1", len(ks))
	}
	if ts, _ := f.svc.List(f.ctx, f.as(f.acct.ID)); len(ts) != 1 {
		t.Errorf("tokens after refusals = %d, want 1", len(ts))
	}
}

func TestSecurityLog(t *testing.T) {
	f := newFixture(t, func(c *token.Config) {
		c.SecurityLog = securitylog.New(c.Accounts.(*memory.Store), rand.NewChaCha8([32]byte{2}), func() time.Time { return t0 }, nil)
	})
	c := f.as(f.acct.ID)
	c.Client = auth.Client{IP: "192.0.2.7", UserAgent: "curl/8.5.0"}
	tok, s, err := f.svc.Create(f.ctx, c, "ci", []string{"catalog"})
	if err != nil {
		t.Fatal(err)
	}
	// The first use comes through the middleware, whose client function
	// (behind a proxy at 10.0.0.1) names the client.
	h := token.Middleware(f.svc, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
		token.WithClient(func(r *http.Request) auth.Client { return auth.Client{IP: "192.0.2.7", UserAgent: r.UserAgent()} }))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.1:4000"
	r.Header.Set("User-Agent", "curl/8.5.0")
	r.Header.Set("Authorization", "mxtoken "+s.Reveal())
	rec := httptest.NewRecorder()
	if h.ServeHTTP(rec, r); rec.Code != http.StatusOK {
		t.Fatalf("middleware: %d", rec.Code)
	}
	f.clock.Advance(2 * token.DefaultLastUsedInterval)
	if _, err := f.svc.Validate(f.ctx, s.Reveal()); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(f.ctx, c, tok.ID); err != nil {
		t.Fatal(err)
	}
	k, _, err := f.svc.CreateAPIKey(f.ctx, c, "deploy")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RevokeAPIKey(f.ctx, c, k.ID); err != nil {
		t.Fatal(err)
	}
	evs, err := f.st.SecurityEvents(f.ctx, f.acct.ProfileID, securitylog.Position{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[securitylog.Kind]int{}
	for _, e := range evs {
		got[e.Kind]++
		if e.IP != "192.0.2.7" || e.Device != "curl" {
			t.Errorf("event %s from %q %q, want the caller's client", e.Kind, e.IP, e.Device)
		}
		// Every token event names the token, never by its id.
		if (e.Kind == securitylog.TokenFirstUsed || e.Kind == securitylog.TokenCreated) && e.Detail != tok.Name {
			t.Errorf("event %s detail %q, want the token's name %q", e.Kind, e.Detail, tok.Name)
		}
	}
	want := map[securitylog.Kind]int{securitylog.TokenCreated: 1, securitylog.TokenFirstUsed: 1, securitylog.TokenDeleted: 1,
		securitylog.APIKeyCreated: 1, securitylog.APIKeyDeleted: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("security events (-want +got):\n%s", diff)
	}
}

func TestValidateRejects(t *testing.T) {
	f := newFixture(t)
	_, good := f.create(t, "good")
	delTok, deleted := f.create(t, "deleted")
	_, expiring := f.create(t, "expiring", token.WithExpiry(t0.Add(time.Hour)))
	_, apiKey := f.createKey(t, "a key")
	if err := f.svc.Delete(f.ctx, f.as(f.acct.ID), delTok.ID); err != nil {
		t.Fatal(err)
	}
	badSum := good[:len(good)-1] + string(rune('0'+(good[len(good)-1]-'0'+1)%10))
	unknown := mustForeignToken(t)
	offline := []struct{ name, in string }{
		{"empty", ""},
		{"bad checksum", badSum},
		{"truncated", good[:len(good)-1]},
		{"wrong prefix", "mxq_" + good[4:]},
		{"api key", apiKey},
		{"bearer-ish", "Bearer " + good},
	}
	for _, tt := range offline {
		t.Run(tt.name, func(t *testing.T) {
			before := f.count.lookups.Load()
			if _, err := f.svc.Validate(f.ctx, tt.in); err != token.ErrInvalidToken {
				t.Errorf("Validate = %v, want ErrInvalidToken", err)
			}
			if n := f.count.lookups.Load() - before; n != 0 {
				t.Errorf("Validate made %d store lookups, want 0", n)
			}
		})
	}
	online := []struct {
		name, in string
		setup    func()
	}{
		{"unknown", unknown, nil},
		{"deleted", deleted, nil},
		{"expired", expiring, func() { f.clock.Advance(time.Hour) }},
		{"deactivated", good, func() { f.setStatus(t, account.StatusDeactivated) }},
		{"account deleted", good, func() {
			if err := f.st.DeleteAccount(f.ctx, f.acct.ID); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range online {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			if _, err := f.svc.Validate(f.ctx, tt.in); err != token.ErrInvalidToken {
				t.Errorf("Validate = %v, want ErrInvalidToken", err)
			}
		})
	}
}

// mustForeignToken returns a well-formed token no fixture issued.
func mustForeignToken(t testing.TB) string {
	t.Helper()
	s, err := token.Generate(strings.NewReader(strings.Repeat("x", 64)), token.KindToken)
	if err != nil {
		t.Fatal(err)
	}
	return s.Reveal()
}

func TestDeactivationBlocksAtOnceAndReactivationRestores(t *testing.T) {
	f := newFixture(t)
	_, s := f.create(t, "t")
	f.setStatus(t, account.StatusDeactivated)
	if _, err := f.svc.Validate(f.ctx, s); err != token.ErrInvalidToken {
		t.Fatalf("Validate while deactivated = %v, want ErrInvalidToken", err)
	}
	f.setStatus(t, account.StatusActive)
	if _, err := f.svc.Validate(f.ctx, s); err != nil {
		t.Fatalf("Validate after reactivation = %v", err)
	}
}

func TestLastUsedThrottle(t *testing.T) {
	f := newFixture(t)
	tok, s := f.create(t, "t")
	lastUsed := func() time.Time {
		t.Helper()
		got, err := f.svc.Get(f.ctx, f.as(f.acct.ID), tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastUsedAt
	}
	if !lastUsed().IsZero() {
		t.Fatal("a new token has a LastUsedAt")
	}
	steps := []struct {
		advance     time.Duration
		wantUsed    time.Time
		wantTouches int64
	}{
		{0, t0, 1},
		{30 * time.Second, t0, 1},
		{29 * time.Second, t0, 1},
		{1 * time.Second, t0.Add(time.Minute), 2},
		{59 * time.Second, t0.Add(time.Minute), 2},
		{time.Hour, t0.Add(time.Hour + 2*time.Minute - time.Second), 3},
	}
	for i, st := range steps {
		f.clock.Advance(st.advance)
		for range 3 {
			if _, err := f.svc.Validate(f.ctx, s); err != nil {
				t.Fatalf("step %d: Validate: %v", i, err)
			}
		}
		if got := lastUsed(); !got.Equal(st.wantUsed) {
			t.Errorf("step %d: LastUsedAt = %v, want %v", i, got, st.wantUsed)
		}
		if got := f.count.touches.Load(); got != st.wantTouches {
			t.Errorf("step %d: %d store writes, want %d", i, got, st.wantTouches)
		}
	}
}

func TestDelete(t *testing.T) {
	f := newFixture(t)
	tok, s := f.create(t, "t")
	other := f.addAccount(t, "acc_bob", "bob@example.com")
	if err := f.svc.Delete(f.ctx, f.as(other.ID), tok.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Delete by another account = %v, want ErrNotFound", err)
	}
	if err := f.svc.Delete(f.ctx, f.as(f.acct.ID), tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Validate(f.ctx, s); err != token.ErrInvalidToken {
		t.Errorf("Validate after Delete = %v, want ErrInvalidToken", err)
	}
	if _, err := f.svc.Get(f.ctx, f.as(f.acct.ID), tok.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}
	if err := f.svc.Delete(f.ctx, f.as(f.acct.ID), tok.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second Delete = %v, want ErrNotFound", err)
	}
	hist, _ := f.st.History(f.ctx, f.acct.ProfileID, 0, 10)
	if len(hist) != 2 || hist[0].Action != history.ActionRemoved || hist[0].Detail != "t" {
		t.Errorf("history = %+v, want removed entry first", hist)
	}
	// The name is free again.
	f.create(t, "t")
}

func TestEraseAndCollect(t *testing.T) {
	f := newFixture(t)
	f.create(t, "one")
	f.create(t, "two")
	_, key := f.createKey(t, "k")
	bob := f.addAccount(t, "acc_bob", "bob@example.com")
	if _, _, err := f.svc.Create(f.ctx, f.as(bob.ID), "bob's", []string{"catalog"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ValidateAPIKey(f.ctx, f.acct.Email, key); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Collect(f.ctx, f.acct.ID, bob.ID)
	if err != nil || len(c.Tokens) != 3 || len(c.APIKeys) != 1 {
		t.Fatalf("Collect = %+v, %v; want 3 tokens and 1 key", c, err)
	}
	if err := f.svc.EraseProfile(f.ctx, f.acct.ProfileID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ValidateAPIKey(f.ctx, f.acct.Email, key); err != token.ErrInvalidToken {
		t.Errorf("ValidateAPIKey after erase = %v, want ErrInvalidToken (cache purged)", err)
	}
	c, _ = f.svc.Collect(f.ctx, f.acct.ID, bob.ID)
	if len(c.Tokens) != 1 || c.Tokens[0].AccountID != bob.ID || len(c.APIKeys) != 0 {
		t.Errorf("Collect after erase = %+v, want bob's token only", c)
	}
}

// collidingStore refuses the first CreateToken as a key collision.
type collidingStore struct {
	*countingStore
	refused int
}

func (c *collidingStore) CreateToken(ctx context.Context, t token.Token, d token.Digest) error {
	if c.refused < 2 {
		c.refused++
		return fmt.Errorf("collision: %w", storage.ErrConflict)
	}
	return c.countingStore.CreateToken(ctx, t, d)
}

func TestCreateRetriesKeyCollision(t *testing.T) {
	var cs *collidingStore
	f := newFixture(t, func(c *token.Config) {
		cs = &collidingStore{countingStore: c.Store.(*countingStore)}
		c.Store = cs
	})
	tok, s, err := f.svc.Create(f.ctx, f.as(f.acct.ID), "t", []string{"catalog"})
	if err != nil || cs.refused != 2 {
		t.Fatalf("Create = %v after %d refusals, want success after 2", err, cs.refused)
	}
	if p, err := f.svc.Validate(f.ctx, s.Reveal()); err != nil || p.TokenID != tok.ID {
		t.Errorf("Validate = %+v, %v; want the created token %s", p, err, tok.ID)
	}
	cs.refused = -5
	if _, _, err := f.svc.Create(f.ctx, f.as(f.acct.ID), "u", []string{"catalog"}); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("Create after 3 collisions = %v, want ErrConflict", err)
	}
}

// TestRevokeCredentials: an account recovery deletes every token and API
// key of the account, records each with the client, and says which.
func TestRevokeCredentials(t *testing.T) {
	f := newFixture(t, func(c *token.Config) {
		c.SecurityLog = securitylog.New(c.Accounts.(*memory.Store), rand.NewChaCha8([32]byte{2}), func() time.Time { return t0 }, nil)
	})
	_, pat := f.create(t, "ci")
	_, key := f.createKey(t, "deploy")
	if _, err := f.svc.ValidateAPIKey(f.ctx, f.acct.Email, key); err != nil {
		t.Fatal(err) // now cached
	}
	client := auth.Client{IP: "198.51.100.3", UserAgent: "curl/8.5.0"}
	var got []account.RevokedCredential
	err := f.st.InTx(f.ctx, func(ctx context.Context) error {
		var err error
		got, err = f.svc.RevokeCredentials(ctx, account.Revocation{AccountID: f.acct.ID, Change: account.ChangePasswordReset, Client: client})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []account.RevokedCredential{{Kind: "token", Name: "ci"}, {Kind: "api_key", Name: "deploy"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("revoked (-want +got):\n%s", diff)
	}
	if _, err := f.svc.Validate(f.ctx, pat); !errors.Is(err, token.ErrInvalidToken) {
		t.Errorf("Validate(revoked token) = %v", err)
	}
	if _, err := f.svc.ValidateAPIKey(f.ctx, f.acct.Email, key); !errors.Is(err, token.ErrInvalidToken) {
		t.Errorf("ValidateAPIKey(revoked, cached key) = %v", err)
	}
	evs, _ := f.st.SecurityEvents(f.ctx, f.acct.ProfileID, securitylog.Position{}, 10)
	deleted := 0
	for _, e := range evs {
		if e.Kind == securitylog.TokenDeleted || e.Kind == securitylog.APIKeyDeleted {
			deleted++
			if e.IP != client.IP || e.Device != "curl" {
				t.Errorf("%s from %q %q, want the reset's client", e.Kind, e.IP, e.Device)
			}
		}
	}
	if deleted != 2 {
		t.Errorf("%d deletion events, want 2", deleted)
	}
	// A second call (RevokeAccount after it, in a reset) finds nothing.
	if again, err := f.svc.RevokeCredentials(f.ctx, account.Revocation{AccountID: f.acct.ID}); err != nil || len(again) != 0 {
		t.Errorf("again: %v, %v; want nothing", again, err)
	}
}
