package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/personaldata"
)

// notificationsData is the content of the Notification Settings page.
type notificationsData struct {
	Settings notify.Settings
	// Apps are the apps of the list, watched or not: the watched ones,
	// and after Stop Watching the app just stopped, to watch again.
	Apps []appItem
}

// appItem is one app of the list, with its watch control.
type appItem struct {
	notify.WatchedApp
	Watched bool
}

func (w *Web) notificationsPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderNotifications(rw, r, c, http.StatusOK, nil, nil)
}

// renderNotifications shows the page with f (the Watch an app form) and
// the app just stopped, if any, among the watched ones.
func (w *Web) renderNotifications(rw http.ResponseWriter, r *http.Request, c *caller, status int, f *form, stopped *notify.WatchedApp) {
	ctx := r.Context()
	st, err := w.s.Notifications.Settings(ctx, w.as(r, c))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	apps, err := w.s.Notifications.WatchedApps(ctx, w.as(r, c))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := notificationsData{Settings: st}
	for _, a := range apps {
		d.Apps = append(d.Apps, appItem{WatchedApp: a, Watched: true})
	}
	p := w.signedInPage(rw, r, c, "Notification Settings", "notifications")
	if stopped != nil {
		d.Apps = append(d.Apps, appItem{WatchedApp: *stopped})
		p.Flash = flashes["stopped_watching"]
	}
	p.Form, p.Data = f, d
	w.render(rw, r, status, "notifications", p)
}

// saveNotifications saves both Buzz toggles: an unchecked box is off.
func (w *Web) saveNotifications(rw http.ResponseWriter, r *http.Request, c *caller) {
	digest, threads := r.PostFormValue("daily_digest") == "on", r.PostFormValue("thread_updates") == "on"
	_, err := w.s.Notifications.Update(r.Context(), w.as(r, c), notify.Update{DailyDigest: &digest, ThreadUpdates: &threads})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.setFlash(rw, r, "notifications")
	seeOther(rw, r, "/notifications")
}

// stopWatching is Stop Watching of one app. The answer is the page
// itself, where the app stays in the list with "Watch again": its name
// is known here, and never read back from a URL.
func (w *Web) stopWatching(rw http.ResponseWriter, r *http.Request, c *caller) {
	ctx, app := r.Context(), r.PathValue("app")
	apps, err := w.s.Notifications.WatchedApps(ctx, w.as(r, c))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if err := w.s.Notifications.StopWatching(ctx, w.as(r, c), app); err != nil {
		w.fail(rw, r, err)
		return
	}
	i := slices.IndexFunc(apps, func(a notify.WatchedApp) bool { return a.AppID == app })
	if i < 0 { // already stopped (a second click): nothing to undo
		w.setFlash(rw, r, "stopped_watching")
		seeOther(rw, r, "/notifications#watched-apps")
		return
	}
	w.renderNotifications(rw, r, c, http.StatusOK, nil, &apps[i])
}

// watchApp watches an app (again): from the list after Stop Watching,
// or from the Watch an app form, which names it by its id as My Apps
// shows it.
func (w *Web) watchApp(rw http.ResponseWriter, r *http.Request, c *caller) {
	app := strings.TrimSpace(r.PostFormValue("app_id"))
	name := strings.TrimSpace(r.PostFormValue("app_name"))
	if name == "" {
		name = app
	}
	err := w.s.Notifications.Watch(r.Context(), w.as(r, c), app, name)
	var ie *notify.InputError
	if errors.As(err, &ie) {
		f := newForm()
		f.Values["app_id"], f.Values["app_name"] = r.PostFormValue("app_id"), r.PostFormValue("app_name")
		f.add(ie.Field, appInputMessage(ie))
		w.renderNotifications(rw, r, c, http.StatusUnprocessableEntity, f, nil)
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.setFlash(rw, r, "watching")
	seeOther(rw, r, "/notifications#watched-apps")
}

// appInputMessage says what is wrong with the app id or name typed.
func appInputMessage(e *notify.InputError) string {
	name := e.Field == "app_name"
	switch {
	case e.Reason == "empty" && name:
		return "Enter the app's name."
	case e.Reason == "empty":
		return "Enter the app's ID."
	case e.Reason == "too_long" && name:
		return "Shorten the app's name."
	case e.Reason == "too_long":
		return "Shorten the app's ID."
	case name:
		return "Use only ordinary characters in the app's name, without spaces around it."
	}
	return "Use only ordinary characters in the app's ID, without spaces around it."
}

// personalData is the content of the Personal Data page.
type personalData struct {
	View personaldata.View
	// History is one page of the change history, newest first, in words.
	History  []historyRow
	Page     int
	Prev     bool
	More     bool
	Accounts map[string]string
	// Email is the signed-in account's address, typed to confirm the
	// erasure.
	Email string
}

// AccountEmails lists the addresses of the profile's accounts, for the
// erasure's warning.
func (d personalData) AccountEmails() string {
	out := make([]string, 0, len(d.View.Accounts))
	for _, a := range d.View.Accounts {
		out = append(out, a.Email)
	}
	return strings.Join(out, ", ")
}

// personalDataPage shows everything stored about the person and one page
// of the change history. Collect already reads the whole history in its
// transaction, so the page is cut from it rather than read again.
func (w *Web) personalDataPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	w.renderPersonalData(rw, r, c, http.StatusOK, nil)
}

// renderPersonalData shows the Personal Data page with the erasure form
// f (nil: empty).
func (w *Web) renderPersonalData(rw http.ResponseWriter, r *http.Request, c *caller, status int, f *form) {
	pageNo, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || pageNo < 1 {
		pageNo = 1
	}
	v, err := w.s.PersonalData.Collect(r.Context(), w.as(r, c))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := personalData{View: v, Page: pageNo, Prev: pageNo > 1, Accounts: map[string]string{}, Email: c.acct.Email}
	for _, a := range v.Accounts {
		d.Accounts[a.ID] = a.Email
	}
	names := historyNames{Accounts: d.Accounts, Apps: map[string]string{}}
	for _, a := range v.Notifications.WatchedApps {
		names.Apps[a.AppID] = a.AppName
	}
	newest := slices.Clone(v.History)
	slices.Reverse(newest)
	from := min((pageNo-1)*HistoryPageSize, len(newest))
	to := min(from+HistoryPageSize, len(newest))
	for _, e := range newest[from:to] {
		d.History = append(d.History, describeHistory(e, names))
	}
	d.More = to < len(newest)
	p := w.signedInPage(rw, r, c, "Personal Data", "data")
	p.Form, p.Data = f, d
	w.render(rw, r, status, "personaldata", p)
}

// erase erases the person, once the signed-in account's address is
// typed to confirm: the profile, every account of it and everything
// stored about them (PersonalData.Erase), then the sign-in page. A stale
// sign-in confirms the password first and comes back to the form.
func (w *Web) erase(rw http.ResponseWriter, r *http.Request, c *caller) {
	if !strings.EqualFold(strings.TrimSpace(r.PostFormValue("confirm")), c.acct.Email) {
		f := newForm()
		f.add("confirm", fmt.Sprintf("Type %s to confirm.", c.acct.Email))
		w.renderPersonalData(rw, r, c, http.StatusUnprocessableEntity, f)
		return
	}
	if err := w.s.PersonalData.Erase(r.Context(), w.as(r, c)); err != nil {
		w.fail(rw, r, err)
		return
	}
	http.SetCookie(rw, w.cookie(r, handler.CookieName, "", "/", -1))
	w.setFlash(rw, r, "data_erased")
	seeOther(rw, r, "/signin")
}

// eraseKeepingAccounts erases the personal data but the accounts, which
// stay signed in; the person types their address to confirm.
func (w *Web) eraseKeepingAccounts(rw http.ResponseWriter, r *http.Request, c *caller) {
	if !strings.EqualFold(strings.TrimSpace(r.PostFormValue("confirm_keep")), c.acct.Email) {
		f := newForm()
		f.add("confirm_keep", fmt.Sprintf("Type %s to confirm.", c.acct.Email))
		w.renderPersonalData(rw, r, c, http.StatusUnprocessableEntity, f)
		return
	}
	if err := w.s.PersonalData.EraseKeepingAccounts(r.Context(), w.as(r, c)); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.setFlash(rw, r, "data_erased_kept")
	seeOther(rw, r, "/personal-data")
}

// download streams the ZIP archive of the personal data. ExportZIP
// reports an unknown profile before it writes; any later failure cuts the
// connection, so the browser sees a failed download rather than a
// truncated archive that looks whole.
func (w *Web) download(rw http.ResponseWriter, r *http.Request, c *caller) {
	hd := rw.Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", `attachment; filename="personal-data.zip"`)
	hd.Set("Cache-Control", "no-store")
	err := w.s.PersonalData.ExportZIP(r.Context(), w.as(r, c), rw)
	switch {
	case err == nil:
	case errs.KindOf(err) == errs.NotFound:
		hd.Del("Content-Disposition")
		w.fail(rw, r, err)
	default:
		w.log.Error("personal data export failed", "route", r.Pattern, "err", err.Error())
		panic(http.ErrAbortHandler)
	}
}

// outboxData is the content of the dev outbox: the mail and, with
// WithDevSMS, the text messages, newest first.
type outboxData struct {
	Mail []notify.Message
	SMS  []handler.SMS
}

// outboxPage shows the dev outbox, newest first (WithDevOutbox only).
func (w *Web) outboxPage(rw http.ResponseWriter, r *http.Request) {
	msgs, err := w.outbox.Mail(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	slices.Reverse(msgs)
	d := outboxData{Mail: msgs}
	if w.sms != nil {
		d.SMS = w.sms.Messages()
		slices.Reverse(d.SMS)
	}
	w.render(rw, r, http.StatusOK, "outbox", &page{Title: "Dev outbox", Data: d})
}
