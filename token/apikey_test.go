package token_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/token"
)

func TestAPIKeyCreateValidate(t *testing.T) {
	f := newFixture(t)
	k, s := f.createKey(t, " deploy script ")
	if k.Description != "deploy script" || k.Last4 != s[len(s)-4:] || !strings.HasPrefix(s, "mxk_") {
		t.Errorf("CreateAPIKey = %+v, %q", k, s)
	}
	for _, user := range []string{"ann@example.com", "Ann@Example.COM", " ann@example.com "} {
		p, err := f.svc.ValidateAPIKey(f.ctx, user, s)
		want := token.Principal{AccountID: f.acct.ID, ProfileID: f.acct.ProfileID, TokenID: k.ID, Kind: token.KindAPIKey}
		if err != nil || fmt.Sprint(p) != fmt.Sprint(want) {
			t.Errorf("ValidateAPIKey(%q) = %+v, %v; want %+v", user, p, err, want)
		}
		if !p.HasScopes("projects:write", "anything") {
			t.Error("an API key principal lacks a scope")
		}
	}
	ks, err := f.svc.ListAPIKeys(f.ctx, f.as(f.acct.ID))
	if err != nil || len(ks) != 1 || ks[0] != k {
		t.Errorf("ListAPIKeys = %+v, %v; want [%+v]", ks, err, k)
	}
	if msgs := f.outbox.Messages(); len(msgs) != 1 || strings.Contains(msgs[0].Body, s) {
		t.Errorf("notices = %+v, want one without the key", msgs)
	}
	for _, d := range []string{"", strings.Repeat("x", 101), "a\tb"} {
		if _, _, err := f.svc.CreateAPIKey(f.ctx, f.as(f.acct.ID), d); !errors.Is(err, token.ErrInvalidDescription) {
			t.Errorf("CreateAPIKey(%q) = %v, want ErrInvalidDescription", d, err)
		}
	}
}

func TestAPIKeyRejects(t *testing.T) {
	f := newFixture(t)
	_, key := f.createKey(t, "k")
	_, pat := f.create(t, "pat")
	f.addAccount(t, "acc_bob", "bob@example.com")
	tests := []struct{ name, user, key string }{
		{"token as api key", f.acct.Email, pat},
		{"wrong username", "bob@example.com", key},
		{"empty username", "", key},
		{"malformed", f.acct.Email, key[:len(key)-1] + "!"},
		{"bad checksum", f.acct.Email, "mxk_" + pat[4:]},
		{"empty", f.acct.Email, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.svc.ValidateAPIKey(f.ctx, tt.user, tt.key); err != token.ErrInvalidToken {
				t.Errorf("ValidateAPIKey = %v, want ErrInvalidToken", err)
			}
		})
	}
	if _, err := f.svc.Validate(f.ctx, key); err != token.ErrInvalidToken {
		t.Errorf("Validate(api key) = %v, want ErrInvalidToken", err)
	}
}

func TestAPIKeyCacheExpiry(t *testing.T) {
	f := newFixture(t)
	_, key := f.createKey(t, "k")
	validate := func(step string, wantErr error, wantLookups int64) {
		t.Helper()
		if _, err := f.svc.ValidateAPIKey(f.ctx, f.acct.Email, key); err != wantErr {
			t.Errorf("%s: ValidateAPIKey = %v, want %v", step, err, wantErr)
		}
		if got := f.count.lookups.Load(); got != wantLookups {
			t.Errorf("%s: %d store lookups so far, want %d", step, got, wantLookups)
		}
	}
	validate("first", nil, 1)
	validate("cached", nil, 1)
	f.clock.Advance(59 * time.Second)
	validate("still cached", nil, 1)
	f.clock.Advance(time.Second)
	validate("expired", nil, 2)
	// Deactivating the account blocks the key within the TTL.
	f.setStatus(t, account.StatusDeactivated)
	validate("deactivated, cached", nil, 2)
	f.clock.Advance(60 * time.Second)
	validate("deactivated, expired", token.ErrInvalidToken, 3)
	validate("negative results are not cached", token.ErrInvalidToken, 4)
}

func TestAPIKeyRevokePurgesCache(t *testing.T) {
	f := newFixture(t)
	k, key := f.createKey(t, "k")
	// A second service over the same store stands for another process.
	other := token.NewService(f.cfg)
	for _, s := range []*token.Service{f.svc, other} {
		if _, err := s.ValidateAPIKey(f.ctx, f.acct.Email, key); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.RevokeAPIKey(f.ctx, f.as(f.acct.ID), k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ValidateAPIKey(f.ctx, f.acct.Email, key); err != token.ErrInvalidToken {
		t.Errorf("this process after revoke = %v, want ErrInvalidToken at once", err)
	}
	if _, err := other.ValidateAPIKey(f.ctx, f.acct.Email, key); err != nil {
		t.Errorf("other process within TTL = %v, want the cached success", err)
	}
	f.clock.Advance(token.DefaultAPIKeyCacheTTL)
	if _, err := other.ValidateAPIKey(f.ctx, f.acct.Email, key); err != token.ErrInvalidToken {
		t.Errorf("other process after TTL = %v, want ErrInvalidToken", err)
	}
	if err := f.svc.RevokeAPIKey(f.ctx, f.as(f.acct.ID), k.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second revoke = %v, want ErrNotFound", err)
	}
	hist, _ := f.st.History(f.ctx, f.acct.ProfileID, 0, 1)
	if len(hist) != 1 || hist[0].Item != "api_key" || hist[0].Detail != "k" {
		t.Errorf("newest history = %+v, want api_key removed", hist)
	}
}

func TestAPIKeyCacheDisabledAndBounded(t *testing.T) {
	f := newFixture(t, func(c *token.Config) { c.APIKeyCacheTTL = -1 })
	_, key := f.createKey(t, "k")
	if _, err := f.svc.ValidateAPIKey(f.ctx, f.acct.Email, key); err != nil {
		t.Fatal(err)
	}
	f.setStatus(t, account.StatusDeactivated)
	if _, err := f.svc.ValidateAPIKey(f.ctx, f.acct.Email, key); err != token.ErrInvalidToken {
		t.Errorf("no cache, deactivated = %v, want ErrInvalidToken at once", err)
	}

	g := newFixture(t, func(c *token.Config) { c.APIKeyCacheSize = 2 })
	for i := range 5 {
		_, key := g.createKey(t, fmt.Sprint("k", i))
		if _, err := g.svc.ValidateAPIKey(g.ctx, g.acct.Email, key); err != nil {
			t.Fatal(err)
		}
		if n := token.CacheLen(g.svc); n > 2 {
			t.Fatalf("cache holds %d entries, want at most 2", n)
		}
	}
}
