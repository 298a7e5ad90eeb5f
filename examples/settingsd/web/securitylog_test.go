package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// TestBrowserSecurityLog shows a person's security log, newest first, a
// page at a time through the "Older events" link, with nobody else's
// events, and refuses a made-up link.
func TestBrowserSecurityLog(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	e.signUp(bob)
	ctx := context.Background()
	a, b2 := e.account(ada), e.account(bob)
	// The seeded events come after the sign-ins of the test (which the
	// SDK records too), at a clock that stands still meanwhile.
	start := e.clock.Now().Add(time.Minute)
	for i := range 30 {
		ev := securitylog.Event{ProfileID: a.ProfileID, AccountID: a.ID, Kind: securitylog.PasswordChanged,
			At: start.Add(time.Duration(i) * time.Minute), IP: "192.0.2.9", Device: "Firefox on Linux", Detail: fmt.Sprintf("ada-event-%02d", i)}
		if err := e.settings.SecurityLog.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	err := e.settings.SecurityLog.Record(ctx, securitylog.Event{ProfileID: b2.ProfileID, AccountID: b2.ID, Kind: securitylog.SignedIn,
		At: start.Add(time.Hour), IP: "198.51.100.1", Detail: "bob-event"})
	if err != nil {
		t.Fatal(err)
	}

	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.wantPage(b.visit("/security-log"), 200, "Security log")
	if !b.has("nav a[href='/security-log'][aria-current=page]") {
		t.Error("the navigation does not mark the Security log page as current")
	}
	if n := eval[int](b, `document.querySelectorAll("main tbody tr").length`); n != 25 {
		t.Fatalf("first page has %d rows, want 25", n)
	}
	b.wantText("main tbody tr:first-child", "Password changed", "ada-event-29", ada, "192.0.2.9", "Firefox on Linux")
	b.page("security-log")

	b.load("older", chromedp.Click(chromedp.CSS("a[rel=next]")))
	b.wantText("main h2", "Older events")
	body := b.text("main")
	if !strings.Contains(body, "ada-event-04") || strings.Contains(body, "ada-event-05") {
		t.Errorf("older page does not continue after the first: %q", body)
	}
	if b.has("a[rel=next]") && !strings.Contains(body, "ada-event-00") {
		t.Error("the last page of ada's events does not reach the oldest")
	}
	if strings.Contains(body, "bob-event") || strings.Contains(body, "198.51.100.1") {
		t.Error("ada's security log shows bob's event")
	}
	b.wantPage(b.visit("/security-log?before=bm90LWEtY3Vyc29y"), 400, "This link cannot be followed")
}
