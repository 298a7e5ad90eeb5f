package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/personaldata"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// historyRow is one change-history entry as the Personal Data page shows
// it: in words, with addresses and names instead of ids.
type historyRow struct {
	At time.Time
	// What names the item that changed ("Job Title", "Daily digest").
	What string
	// Change says how it changed ("Added: Go", "Turned on"): Action
	// and, when there is one, ": " and Detail. The page translates
	// Action and Detail apart, since Detail may be a person's own words.
	Change, Action, Detail string
	// By is the address of the account that made the change, "another
	// account" for one no longer of the profile, or "" for the host.
	By string
}

// historyItems name the history items that are not profile fields.
var historyItems = map[string]string{
	"email":                     "Login email",
	"password":                  "Password",
	"account":                   "Account",
	"account_sso":               "Single sign-on",
	"account_status":            "Account status",
	"token":                     "Personal access token",
	"api_key":                   "API key",
	"two_factor":                "Two-factor authentication",
	"two_factor_recovery_codes": "Recovery codes",
	"merge":                     "Profile merge",
	"progress":                  "Points and achievements",
	"buzz_daily_digest":         "Daily digest emails",
	"buzz_thread_updates":       "Thread update emails",
	"watched_app":               "Watched app",
}

// actionWords say how an item changed.
var actionWords = map[string]string{
	"set":     "Changed",
	"cleared": "Cleared",
	"added":   "Added",
	"removed": "Removed",
}

// twoFactorMethods name the second-factor methods a history entry or a
// security event records.
var twoFactorMethods = map[string]string{
	"sms":           "text message",
	"authenticator": "authenticator app",
}

// historyNames are what the page knows to put words on ids: the
// addresses of the profile's accounts and the names of the watched apps,
// by id.
type historyNames struct {
	Accounts map[string]string
	Apps     map[string]string
}

// account is the address of the account id, or "another account" when it
// is not (or no longer) one of the person's.
func (n historyNames) account(id string) string {
	if e, ok := n.Accounts[id]; ok {
		return e
	}
	return "another account"
}

// historyLabel names a history item: a profile field by its label in the
// field table, another item from historyItems; an unknown item shows as
// it is.
func historyLabel(item string) string {
	if f, ok := profile.Fields().Lookup(item); ok {
		return f.Label
	}
	if l, ok := historyItems[item]; ok {
		return l
	}
	return item
}

// describeHistory puts one history entry into words.
func describeHistory(e personaldata.HistoryEntry, n historyNames) historyRow {
	row := historyRow{At: e.At, What: historyLabel(e.Item)}
	if e.AccountID != "" {
		row.By = n.account(e.AccountID)
	}
	action := actionWords[e.Action]
	if action == "" {
		action = e.Action
	}
	detail := e.Detail
	switch e.Item {
	case "buzz_daily_digest", "buzz_thread_updates":
		action, detail = "Turned off", ""
		if e.Detail == "true" {
			action = "Turned on"
		}
	case "watched_app":
		action = map[string]string{"added": "Started watching", "removed": "Stopped watching"}[e.Action]
		if name, ok := n.Apps[e.Detail]; ok {
			detail = name
		} else {
			detail = "an app"
		}
	case "account":
		detail = accountDetail(e, n)
	case "email":
		detail = ""
		if e.AccountID == "" {
			action = "Changed by support"
		} else if e.Detail != "" && e.Detail != e.AccountID {
			detail = fmt.Sprintf("of %s", n.account(e.Detail))
		}
	case "account_status":
		detail = strings.Fields(e.Detail + " ")[0]
		if e.AccountID == "" {
			detail += ", by support"
		}
	case "merge":
		action, detail = "Another profile was merged into this one", ""
	case "two_factor", "two_factor_recovery_codes":
		detail = twoFactorMethods[e.Detail]
	}
	row.Action, row.Detail = action, detail
	if detail == "" {
		row.Change = action
	} else {
		row.Change = action + ": " + detail
	}
	return row
}

// accountDetail names the account an "account" entry added or removed:
// its address when it is one of the person's, else words without the id.
func accountDetail(e personaldata.HistoryEntry, n historyNames) string {
	if e.AccountID == "" {
		// An admin's entry: "deleted acc_… by support@…".
		return "by support"
	}
	if a, ok := n.Accounts[e.Detail]; ok {
		return a
	}
	if e.Action == "removed" {
		return "an account since deleted"
	}
	return "an account since deleted or moved"
}

// eventDetail is the detail of a security event in words: a token or API
// key by its name (as the SDK records it), a merge without ids, a second
// factor by its method. An older first-use event that recorded the
// token's id shows without it.
func eventDetail(e securitylog.Event) string {
	switch e.Kind {
	case securitylog.Merged:
		return "another profile was merged into this one"
	case securitylog.TokenFirstUsed:
		if strings.HasPrefix(e.Detail, "tok_") {
			return ""
		}
	case securitylog.Reauthenticated:
		if e.Detail == "passkey" {
			return "with a passkey"
		}
	case securitylog.TwoFactorEnrolled, securitylog.TwoFactorDeactivated:
		if m, ok := twoFactorMethods[e.Detail]; ok {
			return m
		}
	}
	return e.Detail
}
