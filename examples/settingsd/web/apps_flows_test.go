package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserWatchAgain (issue 22, finding 14): watching an app again is
// no longer API-only. After Stop Watching the app stays in the list,
// a proper list item, with "Watch again"; and any app can be watched by
// its ID from the page.
func TestBrowserWatchAgain(t *testing.T) {
	e := newEnv(t)
	e.signUp(ada)
	ctx := context.Background()
	me := signedIn(e.settings, e.account(ada).ID)
	for _, app := range []string{"Expenses", "Inventory"} {
		if err := e.settings.Notifications.Watch(ctx, me, "app-"+app, app); err != nil {
			t.Fatal(err)
		}
	}
	watched := func() map[string]string {
		t.Helper()
		apps, err := e.settings.Notifications.WatchedApps(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, a := range apps {
			out[a.AppID] = a.AppName
		}
		return out
	}
	b := newTab(t, e, false)
	b.signIn(ada, pw)
	b.visit("/notifications")
	if n := eval[int](b, `document.querySelectorAll("#watched-apps ul > li").length`); n != 2 {
		t.Fatalf("%d list items of apps, want 2", n)
	}
	res := b.load("stop watching", chromedp.Click(chromedp.CSS("form[action='/notifications/apps/app-Expenses/stop'] button")))
	b.wantPage(res, 200, "Notification Settings")
	b.wantText(".notice", "You no longer watch that app.")
	b.wantText("#watched-apps li:last-child", "Expenses", "not watched")
	if _, ok := watched()["app-Expenses"]; ok {
		t.Fatal("Expenses is still watched")
	}
	b.page("notifications-stopped")
	res = b.load("watch again", chromedp.Click(chromedp.CSS("button[aria-label='Watch again Expenses']")))
	b.wantPage(res, 200, "Notification Settings")
	b.wantText(".notice", "You watch that app now.")
	if got := watched()["app-Expenses"]; got != "Expenses" {
		t.Fatalf("after Watch again, Expenses is watched as %q", got)
	}

	// Watch an app by its ID: an empty ID is refused next to its field.
	b.run("open", chromedp.Click(chromedp.CSS("details.watch-app summary")))
	res = b.submit("form[action='/notifications/apps/watch'] .actions button", "#f-app-id", "", "#f-app-name", "Budget")
	b.wantPage(res, 422, "Notification Settings")
	b.wantFieldError("f-app-id", "Enter the app's ID.")
	b.page("notifications-watch-error")
	res = b.submit("form[action='/notifications/apps/watch'] .actions button", "#f-app-id", "app-budget", "#f-app-name", "Budget")
	b.wantPage(res, 200, "Notification Settings")
	if got := watched()["app-budget"]; got != "Budget" {
		t.Fatalf("app-budget is watched as %q, want Budget", got)
	}
	b.wantText("#watched-apps", "Budget", "watched since")
}
