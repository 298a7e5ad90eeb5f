package web

import (
	"net/http"
	"time"

	"github.com/seed-a97ca23f/usersettings/securitylog"
)

// SecurityLogPageSize is how many events the Security log page shows.
const SecurityLogPageSize = 25

// securityLogData is the content of the Security log page.
type securityLogData struct {
	Events []eventRow
	// Older is the cursor of the next, older page; empty on the last.
	Older string
	// Later reports that this is not the newest page.
	Later bool
}

// eventRow is one event as the page shows it.
type eventRow struct {
	At      time.Time
	What    string
	Detail  string
	Account string
	IP      string
	Device  string
}

// eventLabels name the kinds of events in words.
var eventLabels = map[securitylog.Kind]string{
	securitylog.SignedIn:                 "Signed in",
	securitylog.SignInFailed:             "Sign-in failed",
	securitylog.LockedOut:                "Sign-in locked",
	securitylog.Reauthenticated:          "Identity confirmed",
	securitylog.TwoFactorEnrolled:        "Two-factor authentication turned on",
	securitylog.TwoFactorDeactivated:     "Two-factor authentication turned off",
	securitylog.RecoveryCodeUsed:         "Recovery code used",
	securitylog.RecoveryCodesRegenerated: "New recovery codes made",
	securitylog.PasswordChanged:          "Password changed",
	securitylog.PasswordReset:            "Password reset",
	securitylog.TokenCreated:             "Personal access token created",
	securitylog.TokenDeleted:             "Personal access token deleted",
	securitylog.TokenFirstUsed:           "Personal access token used for the first time",
	securitylog.APIKeyCreated:            "API key created",
	securitylog.APIKeyDeleted:            "API key revoked",
	securitylog.AccountAdded:             "Account added",
	securitylog.AccountDeleted:           "Account deleted",
	securitylog.RecoveryEmailChanged:     "Recovery email changed",
	securitylog.SessionEnded:             "Session signed out",
	securitylog.Merged:                   "Profiles merged",
	securitylog.SSOLinked:                "Linked to single sign-on",
	securitylog.AccountProvisioned:       "Account set up by your organization",
	securitylog.EmailChanged:             "Login email changed",
	securitylog.PersonalDataErased:       "Personal data erased, accounts kept",
	securitylog.PasskeyAdded:             "Passkey added",
	securitylog.PasskeyRemoved:           "Passkey removed",
	securitylog.PasskeyUsed:              "Passkey used",
	securitylog.PasskeyFailed:            "Passkey refused",
	securitylog.Admin:                    "Changed by support",
}

// eventLabel returns the words for a kind; an unknown kind shows as it
// is.
func eventLabel(k securitylog.Kind) string {
	if l, ok := eventLabels[k]; ok {
		return l
	}
	return string(k)
}

// securityLogPage shows a page of the person's own security log, newest
// first, with a link to older events. A cursor the server did not make
// answers 400.
func (w *Web) securityLogPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	ctx := r.Context()
	cursor := r.URL.Query().Get("before")
	pg, err := w.s.SecurityEvents.Page(ctx, w.as(r, c), cursor, SecurityLogPageSize)
	if codeOf(err) == "invalid_cursor" {
		w.renderError(rw, r, http.StatusBadRequest)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	accounts, err := w.s.Accounts.Accounts(ctx, w.as(r, c))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	emails := map[string]string{}
	for _, a := range accounts {
		emails[a.ID] = a.Email
	}
	d := securityLogData{Older: pg.Next, Later: cursor != ""}
	for _, e := range pg.Events {
		row := eventRow{At: e.At, What: eventLabel(e.Kind), Detail: eventDetail(e), IP: e.IP, Device: e.Device, Account: emails[e.AccountID]}
		if row.Account == "" && e.AccountID != "" {
			row.Account = "a deleted account"
		}
		d.Events = append(d.Events, row)
	}
	p := w.signedInPage(rw, r, c, "Security log", "security")
	p.Data = d
	w.render(rw, r, http.StatusOK, "securitylog", p)
}
