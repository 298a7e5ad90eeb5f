package handler

import (
	"net/http"
	"strconv"
	"time"

	"github.com/seed-a97ca23f/usersettings/personaldata"
)

// personalData is GET /v1/me/personal-data: the view (personal-data.json).
func (h *Handler) personalData(w http.ResponseWriter, r *http.Request, c *caller) {
	v, err := h.s.PersonalData.Collect(r.Context(), c.profileID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// downloadPersonalData is GET /v1/me/personal-data/download: the ZIP
// archive as an attachment, streamed.
func (h *Handler) downloadPersonalData(w http.ResponseWriter, r *http.Request, c *caller) {
	hd := w.Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", `attachment; filename="personal-data.zip"`)
	rec := &countingWriter{w: w}
	err := h.s.PersonalData.ExportZIP(r.Context(), c.profileID, rec)
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
	h.log.Error("personal data export failed", "route", r.Pattern, "err", err.Error())
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

// personalDataHistory is GET /v1/me/personal-data/history?page=N&page_size=M.
func (h *Handler) personalDataHistory(w http.ResponseWriter, r *http.Request, c *caller) {
	page, size := 1, 0
	q := r.URL.Query()
	var err error
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			writeErrorWith(w, http.StatusBadRequest, "invalid_query", map[string]any{"field": "page"})
			return
		}
	}
	if v := q.Get("page_size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > personaldata.MaxPageSize {
			writeErrorWith(w, http.StatusBadRequest, "invalid_query", map[string]any{"field": "page_size"})
			return
		}
	}
	hp, err := h.s.PersonalData.History(r.Context(), c.profileID, page, size)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, hp)
}

// devOutbox is GET /v1/dev/outbox (only with WithDevOutbox): every mail
// sent, oldest first.
func (h *Handler) devOutbox(w http.ResponseWriter, _ *http.Request) {
	type mailJSON struct {
		To      string    `json:"to"`
		Subject string    `json:"subject"`
		Body    string    `json:"body"`
		SentAt  time.Time `json:"sent_at"`
	}
	out := []mailJSON{}
	for _, m := range h.outbox.Messages() {
		out = append(out, mailJSON{m.To, m.Subject, m.Body, m.SentAt})
	}
	writeJSON(w, http.StatusOK, out)
}
