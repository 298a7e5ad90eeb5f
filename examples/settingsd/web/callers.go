package web

import (
	"net/http"

	"github.com/seed-a97ca23f/usersettings/auth"
)

// as returns the SDK caller of a page request: the session's caller with
// the client's address and User-Agent for the security log. The SDK
// checks ownership and freshness against it; a stale sign-in comes back
// as auth.ErrReauthenticationRequired, which fail turns into the
// password prompt.
func (w *Web) as(r *http.Request, c *caller) auth.Caller {
	ac := c.ses.Caller()
	ac.Client = auth.Client{IP: w.clientIP(r), UserAgent: r.UserAgent()}
	return ac
}
