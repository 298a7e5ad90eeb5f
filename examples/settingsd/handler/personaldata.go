package handler

import (
	"net/http"
	"strconv"

	"github.com/seed-a97ca23f/usersettings/personaldata"
)

// personalData is GET /v1/me/personal-data: the view (personal-data.json).
func (h *Handler) personalData(w http.ResponseWriter, r *http.Request, c *caller) {
	v, err := h.s.PersonalData.Collect(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// erasePersonalData is DELETE /v1/me/personal-data → 204: the person's
// profile, every one of its accounts and everything stored about them
// are erased (PersonalData.Erase, a sensitive operation). Every session
// ends with them; the session cookie is cleared. With
// ?keep_accounts=true the accounts stay, able to sign in, and only the
// rest goes (PersonalData.EraseKeepingAccounts); the session goes on.
func (h *Handler) erasePersonalData(w http.ResponseWriter, r *http.Request, c *caller) {
	var keep bool
	switch r.URL.Query().Get("keep_accounts") {
	case "", "false":
	case "true":
		keep = true
	default:
		writeErrorWith(w, r, http.StatusBadRequest, "invalid_query", map[string]any{"field": "keep_accounts"})
		return
	}
	if keep {
		if err := h.s.PersonalData.EraseKeepingAccounts(r.Context(), h.as(r, c)); err != nil {
			h.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := h.s.PersonalData.Erase(r.Context(), h.as(r, c)); err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, h.cookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
}

// downloadPersonalData is GET /v1/me/personal-data/download: the ZIP
// archive as an attachment, streamed.
func (h *Handler) downloadPersonalData(w http.ResponseWriter, r *http.Request, c *caller) {
	hd := w.Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", `attachment; filename="personal-data.zip"`)
	rec := &countingWriter{w: w}
	err := h.s.PersonalData.ExportZIP(r.Context(), h.as(r, c), rec)
	if err == nil {
		return
	}
	if rec.n == 0 {
		hd.Del("Content-Disposition")
		h.fail(w, r, err)
		return
	}
	// The status is sent: cut the response so the client sees a broken
	// archive rather than a truncated one that looks whole.
	h.logger(r).Error("personal data export failed", "route", r.Pattern, "err", err.Error())
	panic(http.ErrAbortHandler)
}

type countingWriter struct {
	w http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// MaxHistoryPage is the highest page number of the change history, so an
// offset never overflows: a larger one answers 400 invalid_query.
const MaxHistoryPage = 1_000_000

// queryInt parses an optional query parameter between lo and hi; an
// absent one is 0.
func queryInt(v string, lo, hi int) (int, bool) {
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= lo && n <= hi
}

// personalDataHistory is GET /v1/me/personal-data/history?page=N&page_size=M.
func (h *Handler) personalDataHistory(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	page, ok := queryInt(q.Get("page"), 1, MaxHistoryPage)
	if !ok {
		writeErrorWith(w, r, http.StatusBadRequest, "invalid_query", map[string]any{"field": "page"})
		return
	}
	size, ok := queryInt(q.Get("page_size"), 1, personaldata.MaxPageSize)
	if !ok {
		writeErrorWith(w, r, http.StatusBadRequest, "invalid_query", map[string]any{"field": "page_size"})
		return
	}
	hp, err := h.s.PersonalData.History(r.Context(), h.as(r, c), max(page, 1), size)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, hp)
}
