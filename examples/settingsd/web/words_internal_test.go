package web

import (
	"testing"

	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

func TestDescribeHistory(t *testing.T) {
	n := historyNames{Accounts: map[string]string{"acc_a": "ada@example.com"}, Apps: map[string]string{"app_1": "Expense Tracker"}}
	for _, tc := range []struct {
		e                personaldata.HistoryEntry
		what, change, by string
	}{
		{personaldata.HistoryEntry{Item: "job_title", Action: "set", AccountID: "acc_a"}, "Job Title", "Changed", "ada@example.com"},
		{personaldata.HistoryEntry{Item: "skills", Action: "added", Detail: "Go", AccountID: "acc_gone"}, "Skills", "Added: Go", "another account"},
		{personaldata.HistoryEntry{Item: "buzz_thread_updates", Action: "set", Detail: "false", AccountID: "acc_a"}, "Thread update emails", "Turned off", "ada@example.com"},
		{personaldata.HistoryEntry{Item: "watched_app", Action: "removed", Detail: "app_2", AccountID: "acc_a"}, "Watched app", "Stopped watching: an app", "ada@example.com"},
		{personaldata.HistoryEntry{Item: "watched_app", Action: "added", Detail: "app_1", AccountID: "acc_a"}, "Watched app", "Started watching: Expense Tracker", "ada@example.com"},
		{personaldata.HistoryEntry{Item: "merge", Action: "added", Detail: "profile prf_b merged into profile prf_a; started by account acc_a", AccountID: "acc_a"}, "Profile merge", "Another profile was merged into this one", "ada@example.com"},
		{personaldata.HistoryEntry{Item: "account", Action: "removed", Detail: "acc_x", AccountID: "acc_a"}, "Account", "Removed: an account since deleted", "ada@example.com"},
		{personaldata.HistoryEntry{Item: "account", Action: "removed", Detail: "deleted acc_x by support@example.com"}, "Account", "Removed: by support", ""},
		{personaldata.HistoryEntry{Item: "account_status", Action: "set", Detail: "deactivated acc_a by support@example.com"}, "Account status", "Changed: deactivated, by support", ""},
		{personaldata.HistoryEntry{Item: "email", Action: "set", Detail: "acc_a", AccountID: "acc_a"}, "Login email", "Changed", "ada@example.com"},
		{personaldata.HistoryEntry{Item: "two_factor", Action: "set", Detail: "authenticator", AccountID: "acc_a"}, "Two-factor authentication", "Changed: authenticator app", "ada@example.com"},
		{personaldata.HistoryEntry{Item: "mystery", Action: "set"}, "mystery", "Changed", ""},
	} {
		got := describeHistory(tc.e, n)
		if got.What != tc.what || got.Change != tc.change || got.By != tc.by {
			t.Errorf("%s %s %q = %q / %q / %q; want %q / %q / %q", tc.e.Item, tc.e.Action, tc.e.Detail, got.What, got.Change, got.By, tc.what, tc.change, tc.by)
		}
	}
}

func TestEventDetail(t *testing.T) {
	for _, tc := range []struct {
		e    securitylog.Event
		want string
	}{
		{securitylog.Event{Kind: securitylog.Merged, Detail: "profile prf_b merged into this profile"}, "another profile was merged into this one"},
		{securitylog.Event{Kind: securitylog.TokenFirstUsed, Detail: "tok_abc"}, ""},
		{securitylog.Event{Kind: securitylog.TokenFirstUsed, Detail: "CI deploy"}, "CI deploy"},
		{securitylog.Event{Kind: securitylog.TokenCreated, Detail: "CI deploy"}, "CI deploy"},
		{securitylog.Event{Kind: securitylog.TwoFactorEnrolled, Detail: "sms"}, "text message"},
	} {
		if got := eventDetail(tc.e); got != tc.want {
			t.Errorf("eventDetail(%s %q) = %q, want %q", tc.e.Kind, tc.e.Detail, got, tc.want)
		}
	}
}
