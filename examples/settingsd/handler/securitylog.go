package handler

import (
	"math"
	"net/http"
	"time"
)

// securityEventJSON is one event of the security log.
type securityEventJSON struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	At        time.Time `json:"at"`
	IP        string    `json:"ip"`
	Device    string    `json:"device"`
	AccountID string    `json:"account_id"`
	Detail    string    `json:"detail"`
}

// securityLogJSON is a page of the security log, newest first;
// next_cursor is absent on the page with the oldest event.
type securityLogJSON struct {
	Events     []securityEventJSON `json:"events"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

// securityLog is GET /v1/me/security-log?limit=N&cursor=C: a page of the
// signed-in person's own security log. The SDK resolves whose log it is,
// bounds the page (securitylog.DefaultPageSize, at most
// securitylog.MaxPageSize) and refuses a cursor it did not make (400
// invalid_cursor).
func (h *Handler) securityLog(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	limit, ok := queryInt(q.Get("limit"), 1, math.MaxInt32)
	if !ok {
		writeErrorWith(w, r, http.StatusBadRequest, "invalid_query", map[string]any{"field": "limit"})
		return
	}
	p, err := h.s.SecurityEvents.Page(r.Context(), h.as(r, c), q.Get("cursor"), limit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := securityLogJSON{Events: make([]securityEventJSON, len(p.Events)), NextCursor: p.Next}
	for i, e := range p.Events {
		out.Events[i] = securityEventJSON{
			ID: e.ID, Kind: string(e.Kind), At: e.At.UTC(), IP: e.IP, Device: e.Device,
			AccountID: e.AccountID, Detail: e.Detail,
		}
	}
	writeJSON(w, http.StatusOK, out)
}
