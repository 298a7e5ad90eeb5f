package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

const (
	hexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	b64Key = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
)

// TestKeysRequired checks that settingsd refuses to start without keys
// unless -dev is given, and reads keys in hex or base64.
func TestKeysRequired(t *testing.T) {
	c := config{smtp: "127.0.0.1:25", smtpFrom: "no-reply@localhost"}
	t.Setenv("SETTINGSD_CODE_KEY", "")
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "")
	if _, _, err := options(c); !errors.Is(err, usersettings.ErrWeakKey) || !strings.Contains(err.Error(), "-dev") {
		t.Fatalf("options without keys = %v, want ErrWeakKey pointing at -dev", err)
	}
	t.Setenv("SETTINGSD_CODE_KEY", hexKey)
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "c2hvcnQ=") // "short"
	if _, _, err := options(c); !errors.Is(err, usersettings.ErrWeakKey) {
		t.Fatalf("options with a short two-factor key = %v, want ErrWeakKey", err)
	}
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", b64Key)
	o, _, err := options(c)
	if err != nil || len(o.CodeKeys) != 1 || len(o.TwoFactorKeys) != 1 || o.Dev {
		t.Fatalf("options with hex and base64 keys = %+v, %v", o, err)
	}
	if _, err := usersettings.New(nil, o); err == nil {
		t.Fatal("New(nil) succeeded")
	}
}

func TestDevWithoutKeys(t *testing.T) {
	t.Setenv("SETTINGSD_CODE_KEY", "")
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "")
	o, outbox, err := options(config{dev: true})
	if err != nil || !o.Dev || outbox == nil {
		t.Fatalf("options(-dev) = %+v, %v; want Dev with an outbox", o, err)
	}
}

func TestReadSSO(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "sso.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("ACME_CLIENT_SECRET", "from the environment")
	conns, err := readSSO(write(`{"connections":[{"id":"acme","name":"Acme","domains":["acme.example"],
		"issuer":"https://login.acme.example","client_id":"settingsd","client_secret_env":"ACME_CLIENT_SECRET",
		"scopes":["openid","email"],"link":"domain"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) != 1 || conns[0].ClientSecret.Reveal() != "from the environment" || conns[0].Link != "domain" {
		t.Errorf("readSSO = %+v", conns)
	}
	for name, body := range map[string]string{
		"unknown field": `{"connections":[{"id":"a","name":"A","domains":["a.example"],"issuer":"https://i.example","client_id":"c","secret":"x"}]}`,
		"empty env":     `{"connections":[{"id":"a","name":"A","domains":["a.example"],"issuer":"https://i.example","client_id":"c","client_secret_env":"NOPE_UNSET"}]}`,
		"both secrets":  `{"connections":[{"id":"a","name":"A","domains":["a.example"],"issuer":"https://i.example","client_id":"c","client_secret":"x","client_secret_env":"ACME_CLIENT_SECRET"}]}`,
		"http issuer":   `{"connections":[{"id":"a","name":"A","domains":["a.example"],"issuer":"http://i.example","client_id":"c"}]}`,
		"no id":         `{"connections":[{"name":"A","domains":["a.example"],"issuer":"https://i.example","client_id":"c"}]}`,
		"bad link":      `{"connections":[{"id":"a","name":"A","domains":["a.example"],"issuer":"https://i.example","client_id":"c","link":"always"}]}`,
		"not json":      `connections: []`,
	} {
		if _, err := readSSO(write(body)); err == nil {
			t.Errorf("readSSO(%s): got nil error", name)
		} else if strings.Contains(err.Error(), "from the environment") {
			t.Errorf("readSSO(%s): the error holds a secret: %v", name, err)
		}
	}
	if got := redirectURL(config{addr: "127.0.0.1:8080"}); got != "http://127.0.0.1:8080/v1/sso/callback" {
		t.Errorf("redirectURL = %s", got)
	}
	if got := redirectURL(config{publicURL: "https://settings.example/"}); got != "https://settings.example/v1/sso/callback" {
		t.Errorf("redirectURL = %s", got)
	}
}

func TestApplySSO(t *testing.T) {
	s, err := usersettings.New(memory.New(), usersettings.Options{Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	c := sso.Connection{ID: "acme", Name: "Acme", Domains: []string{"acme.example"}, Issuer: "https://login.acme.example", ClientID: "c"}
	ctx := context.Background()
	if err := applySSO(ctx, s.SSO, []sso.Connection{c}); err != nil {
		t.Fatal(err)
	}
	c.Name = "Acme Corp"
	if err := applySSO(ctx, s.SSO, []sso.Connection{c}); err != nil {
		t.Fatalf("applying again (update): %v", err)
	}
	if got, err := s.SSO.Connection(ctx, "acme"); err != nil || got.Name != "Acme Corp" {
		t.Errorf("Connection = %v, %v; want the updated name", got, err)
	}
	rival := sso.Connection{ID: "rival", Name: "Rival", Domains: []string{"acme.example"}, Issuer: "https://r.example", ClientID: "r"}
	if err := applySSO(ctx, s.SSO, []sso.Connection{rival}); !errors.Is(err, sso.ErrDomainTaken) {
		t.Errorf("applySSO(taken domain) = %v, want ErrDomainTaken", err)
	}
}
