package handler

import (
	"net/http"

	"github.com/seed-a97ca23f/usersettings/auth"
)

// as returns the SDK caller of a /v1/me request: the session's caller
// (its account, when it signed in, the session itself) with the client's
// address and User-Agent for the security log. The SDK checks ownership
// and freshness against it; this layer only maps the errors
// (auth.ErrReauthenticationRequired → 403 reauthentication_required,
// auth.ErrForbidden → 403 forbidden).
func (h *Handler) as(r *http.Request, c *caller) auth.Caller {
	ac := c.ses.Caller()
	ac.Client = auth.Client{IP: h.clientIP(r), UserAgent: r.UserAgent()}
	return ac
}
