package web_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/usersettingstest/fakeclock"
)

// In the last 14 days before the password expires every signed-in page
// warns, with the days left and a link to change it; not before.
func TestPasswordExpiryWarning(t *testing.T) {
	clock := fakeclock.New(time.Now().UTC().Truncate(time.Second))
	s, base := pagesOver(t, usersettings.Options{Now: clock.Now})
	a := confirmedAccount(t, s, ada)
	at, ok, err := s.Accounts.PasswordExpiresAt(context.Background(), a.ID)
	if err != nil || !ok {
		t.Fatalf("PasswordExpiresAt = %v, %v, %v; want an expiry under the default policy", at, ok, err)
	}
	for _, tc := range []struct {
		before time.Duration
		want   string
	}{
		{15 * 24 * time.Hour, ""},
		{14*24*time.Hour + time.Minute, ""},
		{14 * 24 * time.Hour, "Your password expires in 14 days"},
		{5*24*time.Hour - time.Hour, "Your password expires in 5 days"},
		{time.Hour, "Your password expires in 1 day"},
	} {
		clock.Advance(at.Add(-tc.before).Sub(clock.Now()))
		c := newClient(t, base)
		if res := c.signIn(ada, pw, ""); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%v before: sign-in %d", tc.before, res.StatusCode)
		}
		for _, p := range []string{"/accounts", "/profile", "/security-log"} {
			res, body := c.do(http.MethodGet, p, nil)
			body = html.UnescapeString(body)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%v before: GET %s %d", tc.before, p, res.StatusCode)
			}
			banner := strings.Contains(body, `id="password-expiry"`)
			switch {
			case tc.want == "" && banner:
				t.Errorf("%v before the expiry, %s warns", tc.before, p)
			case tc.want != "" && !strings.Contains(body, tc.want+` — <a href="/accounts#password">change it</a>`):
				t.Errorf("%v before the expiry, %s does not say %q with a link", tc.before, p, tc.want)
			}
		}
	}
}
