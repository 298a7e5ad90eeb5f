package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
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
