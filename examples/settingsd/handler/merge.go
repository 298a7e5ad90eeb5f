package handler

import (
	"net/http"
	"net/url"

	"github.com/seed-a97ca23f/usersettings/merge"
)

// mergeRoutes registers the merge flow: start, choose the address, verify
// the code (→ preview), commit. Starting and committing need a fresh
// session.
func (h *Handler) mergeRoutes() {
	h.handle("POST /v1/me/merges", h.me(h.startMerge))
	h.handle("POST /v1/me/merges/{id}/code", h.me(h.sendMergeCode))
	h.handle("POST /v1/me/merges/{id}/verify", h.me(h.verifyMerge))
	h.handle("GET /v1/me/merges/{id}/preview", h.me(h.mergePreview))
	h.handle("POST /v1/me/merges/{id}/commit", h.me(h.commitMerge))
	h.handle("DELETE /v1/me/merges/{id}", h.me(h.cancelMerge))
}

// startMerge is POST /v1/me/merges {email} → 201 {"id","addresses"}: the
// same two choices for every address, registered or not (the address
// typed, masked, and merge.RecoveryLabel); 429 when the person started
// too many merges (merge.ErrTooManyStarts in an *errs.RetryError).
func (h *Handler) startMerge(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Email string `json:"email"`
	}
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "merge", addressKey(req.Email)) {
		return
	}
	f, err := h.s.Merges.Start(r.Context(), c.ses.Caller(), req.Email)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/v1/me/merges/"+url.PathEscape(f.ID), map[string]any{"id": f.ID, "addresses": nonNil(f.Addresses)})
}

// sendMergeCode is POST /v1/me/merges/{id}/code {address} (an index into
// the addresses) → 202.
func (h *Handler) sendMergeCode(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Address *int `json:"address"`
	}
	id := r.PathValue("id")
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "code", "flow:"+id) {
		return
	}
	if req.Address == nil {
		writeError(w, r, http.StatusUnprocessableEntity, "invalid_choice")
		return
	}
	if err := h.s.Merges.SendCode(r.Context(), c.ses.Caller(), id, *req.Address); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// verifyMerge is POST /v1/me/merges/{id}/verify {code} → 200 preview.
func (h *Handler) verifyMerge(w http.ResponseWriter, r *http.Request, c *caller) {
	var req codeRequest
	id := r.PathValue("id")
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "code", "flow:"+id) {
		return
	}
	p, err := h.s.Merges.Verify(r.Context(), c.ses.Caller(), id, req.Code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newPreviewJSON(p))
}

// mergePreview is GET /v1/me/merges/{id}/preview: the preview of a
// verified flow again, on the current data.
func (h *Handler) mergePreview(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Merges.Preview(r.Context(), c.ses.Caller(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newPreviewJSON(p))
}

// commitMerge is POST /v1/me/merges/{id}/commit → 200 the merged profile.
func (h *Handler) commitMerge(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Merges.Commit(r.Context(), c.ses.Caller(), r.PathValue("id"))
	h.writeProfile(w, r, p, err)
}

// cancelMerge is DELETE /v1/me/merges/{id} → 204.
func (h *Handler) cancelMerge(w http.ResponseWriter, r *http.Request, c *caller) {
	if err := h.s.Merges.Cancel(r.Context(), c.ses.Caller(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type fieldJSON struct {
	Name      string `json:"name"`
	Kept      string `json:"kept"`
	Origin    string `json:"origin"`
	Discarded string `json:"discarded,omitempty"`
	Conflict  bool   `json:"conflict"`
}

type previewJSON struct {
	SignedInProfileID string      `json:"signed_in_profile_id"`
	OtherProfileID    string      `json:"other_profile_id"`
	Fields            []fieldJSON `json:"fields"`
	Combined          struct {
		Points         int64 `json:"points"`
		Achievements   int   `json:"achievements"`
		Certifications int   `json:"certifications"`
		Courses        int   `json:"courses"`
		Skills         int   `json:"skills"`
		Industries     int   `json:"industry_experience"`
		WatchedApps    int   `json:"watched_apps"`
	} `json:"combined"`
	NotMerged []string `json:"not_merged"`
	Discarded []string `json:"discarded"`
}

func newPreviewJSON(p merge.Preview) previewJSON {
	out := previewJSON{SignedInProfileID: p.SignedInProfileID, OtherProfileID: p.OtherProfileID,
		Fields: []fieldJSON{}, NotMerged: nonNil(p.NotMerged), Discarded: nonNil(p.Discarded)}
	for _, f := range p.Fields {
		out.Fields = append(out.Fields, fieldJSON{f.Name, f.Kept, string(f.Origin), f.Discarded, f.Conflict})
	}
	c := p.Combined
	out.Combined.Points, out.Combined.Achievements, out.Combined.Certifications = c.Points, c.Achievements, c.Certifications
	out.Combined.Courses, out.Combined.Skills, out.Combined.Industries = c.Courses, c.Skills, c.Industries
	out.Combined.WatchedApps = c.WatchedApps
	return out
}
