package web

import (
	"net/http"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/session"
)

// sessionsData is the content of the Sessions page.
type sessionsData struct {
	Sessions []session.Session
	// Others is how many sessions other than this one there are.
	Others int
}

// sessionsPage lists the person's sessions: device, IP address, how and
// when they signed in, when they were last seen, with a sign-out button
// for each and one for all the others.
func (w *Web) sessionsPage(rw http.ResponseWriter, r *http.Request, c *caller) {
	list, err := w.s.Sessions.List(r.Context(), w.as(r, c))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := sessionsData{Sessions: list}
	for _, s := range list {
		if !s.Current {
			d.Others++
		}
	}
	p := w.signedInPage(rw, r, c, "Sessions", "sessions")
	p.Data = d
	w.render(rw, r, http.StatusOK, "sessions", p)
}

// endSession signs one of the person's sessions out; this one too, which
// then goes to the sign-in page. A session that is not theirs is the 404
// page, like an unknown one.
func (w *Web) endSession(rw http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("id")
	err := w.s.Sessions.End(r.Context(), w.as(r, c), id)
	switch {
	case errs.KindOf(err) == errs.NotFound:
		w.renderError(rw, r, http.StatusNotFound)
		return
	case err != nil:
		w.fail(rw, r, err)
		return
	case id == c.ses.ID:
		http.SetCookie(rw, w.cookie(r, handler.CookieName, "", "/", -1))
		w.setFlash(rw, r, "signed_out")
		seeOther(rw, r, "/signin")
		return
	}
	w.setFlash(rw, r, "session_ended")
	seeOther(rw, r, "/sessions")
}

// endOtherSessions signs every other session out. The SDK wants a fresh
// sign-in for it; a stale one goes to the password prompt first.
func (w *Web) endOtherSessions(rw http.ResponseWriter, r *http.Request, c *caller) {
	_, err := w.s.Sessions.EndOthers(r.Context(), w.as(r, c))
	switch {
	case errs.KindOf(err) == errs.ReauthRequired:
		w.toReauth(rw, r)
		return
	case err != nil:
		w.fail(rw, r, err)
		return
	}
	w.setFlash(rw, r, "others_ended")
	seeOther(rw, r, "/sessions")
}
