package sso_test

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/account/sso"
	"github.com/seed-a97ca23f/usersettings/account/sso/ssotest"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// kindsOf returns the kinds and details of the profile's security log,
// oldest first.
func (e *env) kindsOf(t *testing.T, profileID string) []string {
	t.Helper()
	var out []string
	err := e.st.EachSecurityEvent(e.ctx, profileID, func(ev securitylog.Event) error {
		out = append(out, string(ev.Kind)+":"+ev.Detail+"@"+ev.IP+"/"+ev.Device)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var firefox = auth.Client{IP: "203.0.113.5", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"}

// TestSecurityLogOfSignIns checks that every SSO sign-in is recorded as
// signed_in with Detail "sso" and the browser, and a link as sso_linked
// naming the company; a refused link records nothing.
func TestSecurityLogOfSignIns(t *testing.T) {
	t.Run("JustInTime", func(t *testing.T) {
		e := newEnv(t)
		e.connect(sso.LinkVerifiedEmail)
		for range 2 {
			res, err := e.callback(e.login("ann@acme.example", annPassword), firefox)
			if err != nil {
				t.Fatal(err)
			}
			want := "signed_in:sso@203.0.113.5/Firefox on Linux"
			got := e.kindsOf(t, res.Account.ProfileID)
			if len(got) == 0 || got[len(got)-1] != want {
				t.Errorf("security log = %q, want it to end with %q", got, want)
			}
		}
	})
	t.Run("Linked", func(t *testing.T) {
		e := newEnv(t)
		old := e.passwordAccount("ann@acme.example")
		e.connect(sso.LinkVerifiedEmail)
		if _, err := e.callback(e.login("ann@acme.example", annPassword), firefox); err != nil {
			t.Fatal(err)
		}
		got := e.kindsOf(t, old.ProfileID)
		want := []string{"sso_linked:Acme@203.0.113.5/Firefox on Linux", "signed_in:sso@203.0.113.5/Firefox on Linux"}
		if len(got) < 2 || got[len(got)-2] != want[0] || got[len(got)-1] != want[1] {
			t.Errorf("security log = %q, want it to end with %q", got, want)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		e := newEnv(t)
		old := e.passwordAccount("ann@acme.example")
		before := e.kindsOf(t, old.ProfileID)
		e.connect(sso.LinkVerifiedEmail)
		e.idp.AddUser(ssotest.User{ID: "u-ann", Email: "ann@acme.example", Password: annPassword, EmailVerified: false})
		if _, err := e.callback(e.login("ann@acme.example", annPassword), firefox); err == nil {
			t.Fatal("a link of an unverified address succeeded")
		}
		if got := e.kindsOf(t, old.ProfileID); len(got) != len(before) {
			t.Errorf("a refused sign-in recorded %q", got[len(before):])
		}
	})
}
