package handler

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// profileJSON is a profile as its owner sees it.
type profileJSON struct {
	ID            string           `json:"id"`
	Name          string           `json:"name"`
	JobTitle      string           `json:"job_title"`
	Department    string           `json:"department"`
	Country       string           `json:"country"`
	AboutYou      string           `json:"about_you"`
	Skills        []string         `json:"skills"`
	Industries    []string         `json:"industry_experience"`
	TwitterURL    string           `json:"twitter_url"`
	LinkedInURL   string           `json:"linkedin_url"`
	RecoveryEmail string           `json:"recovery_email"`
	Public        bool             `json:"public"`
	HasAvatar     bool             `json:"has_avatar"`
	Progress      profile.Progress `json:"progress"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func newProfileJSON(p profile.Profile, pr profile.Progress) profileJSON {
	pr.Achievements = nonNil(pr.Achievements)
	pr.Certifications = nonNil(pr.Certifications)
	pr.Academy = nonNil(pr.Academy)
	return profileJSON{
		ID: p.ID, Name: p.Name, JobTitle: p.JobTitle, Department: p.Department, Country: p.Country,
		AboutYou: p.AboutYou, Skills: nonNil(p.Skills), Industries: nonNil(p.Industries),
		TwitterURL: p.TwitterURL, LinkedInURL: p.LinkedInURL, RecoveryEmail: p.RecoveryEmail,
		Public: p.Public, HasAvatar: !p.Avatar.IsZero(), Progress: pr,
	}
}

// writeProfile answers 200 with the profile and its progress, or the
// error of the step before.
func (h *Handler) writeProfile(w http.ResponseWriter, r *http.Request, p profile.Profile, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pr, err := h.s.Profiles.Progress(r.Context(), p.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newProfileJSON(p, pr))
}

func (h *Handler) getProfile(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Profiles.Get(r.Context(), c.profileID)
	h.writeProfile(w, r, p, err)
}

// profilePatch is the body of PATCH /v1/me/profile: absent fields stay,
// an empty value clears the field.
type profilePatch struct {
	Name          *string   `json:"name"`
	JobTitle      *string   `json:"job_title"`
	Department    *string   `json:"department"`
	Country       *string   `json:"country"`
	AboutYou      *string   `json:"about_you"`
	Skills        *[]string `json:"skills"`
	Industries    *[]string `json:"industry_experience"`
	TwitterURL    *string   `json:"twitter_url"`
	LinkedInURL   *string   `json:"linkedin_url"`
	RecoveryEmail *string   `json:"recovery_email"`
	Public        *bool     `json:"public"`
}

func (h *Handler) patchProfile(w http.ResponseWriter, r *http.Request, c *caller) {
	var b profilePatch
	if decode(w, r, &b, false) != nil {
		return
	}
	u := profile.Update{
		Name: b.Name, JobTitle: b.JobTitle, Department: b.Department, Country: b.Country, AboutYou: b.AboutYou,
		Skills: b.Skills, Industries: b.Industries, TwitterURL: b.TwitterURL, LinkedInURL: b.LinkedInURL,
		RecoveryEmail: b.RecoveryEmail, Public: b.Public,
	}
	p, err := h.s.Profiles.Update(r.Context(), c.accountID, c.profileID, u)
	h.writeProfile(w, r, p, err)
}

// putAvatar is PUT /v1/me/profile/avatar with the image as the body.
func (h *Handler) putAvatar(w http.ResponseWriter, r *http.Request, c *caller) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxAvatarBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, "request_too_large")
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_body")
		return
	}
	p, err := h.s.Profiles.SetAvatar(r.Context(), c.accountID, c.profileID, data)
	h.writeProfile(w, r, p, err)
}

func (h *Handler) deleteAvatar(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Profiles.DeleteAvatar(r.Context(), c.accountID, c.profileID)
	h.writeProfile(w, r, p, err)
}

func (h *Handler) getAvatar(w http.ResponseWriter, r *http.Request, c *caller) {
	a, err := h.s.Profiles.Avatar(r.Context(), c.profileID)
	h.writeImage(w, r, a, err)
}

func (h *Handler) publicAvatar(w http.ResponseWriter, r *http.Request) {
	a, err := h.s.Profiles.PublicAvatar(r.Context(), r.PathValue("id"))
	h.writeImage(w, r, a, err)
}

// writeImage answers with the avatar's bytes and detected content type.
func (h *Handler) writeImage(w http.ResponseWriter, r *http.Request, a profile.Avatar, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.Data)
}

func (h *Handler) makePublic(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Profiles.MakePublic(r.Context(), c.accountID, c.profileID)
	h.writeProfile(w, r, p, err)
}

func (h *Handler) makePrivate(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Profiles.MakePrivate(r.Context(), c.accountID, c.profileID)
	h.writeProfile(w, r, p, err)
}

// publicProfile is GET /v1/profiles/{id}: the public view, 404 when the
// profile is private or missing. No session is needed.
func (h *Handler) publicProfile(w http.ResponseWriter, r *http.Request) {
	v, err := h.s.Profiles.PublicView(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Skills, v.Industries = nonNil(v.Skills), nonNil(v.Industries)
	v.Achievements, v.Certifications = nonNil(v.Achievements), nonNil(v.Certifications)
	writeJSON(w, http.StatusOK, v)
}
