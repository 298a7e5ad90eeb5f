package handler

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// profileFields are the fields of a profile that its owner and the
// community both see.
type profileFields struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	JobTitle    string   `json:"job_title"`
	Department  string   `json:"department"`
	Country     string   `json:"country"`
	AboutYou    string   `json:"about_you"`
	Skills      []string `json:"skills"`
	Industries  []string `json:"industry_experience"`
	TwitterURL  string   `json:"twitter_url"`
	LinkedInURL string   `json:"linkedin_url"`
}

// profileJSON is a profile as its owner sees it.
type profileJSON struct {
	profileFields
	// RecoveryEmail is the verified recovery email; a new one waits in
	// PendingRecoveryEmail until its code is confirmed.
	RecoveryEmail        string           `json:"recovery_email"`
	PendingRecoveryEmail string           `json:"pending_recovery_email"`
	Public               bool             `json:"public"`
	HasAvatar            bool             `json:"has_avatar"`
	Avatar               *avatarJSON      `json:"avatar"`
	Missing              []string         `json:"missing_for_public"`
	CreatedAt            time.Time        `json:"created_at"`
	UpdatedAt            time.Time        `json:"updated_at"`
	Progress             profile.Progress `json:"progress"`
}

// avatarJSON describes a stored avatar; null when there is none.
type avatarJSON struct {
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Digest      string `json:"digest"`
}

func newAvatarJSON(a profile.AvatarInfo) *avatarJSON {
	if a.IsZero() {
		return nil
	}
	return &avatarJSON{ContentType: a.ContentType, Size: a.Size, Width: a.Width, Height: a.Height, Digest: a.Digest}
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
	missing := []string{}
	for _, m := range profile.MissingForPublic(p) {
		missing = append(missing, string(m))
	}
	return profileJSON{
		profileFields: profileFields{
			ID: p.ID, Name: p.Name, JobTitle: p.JobTitle, Department: p.Department, Country: p.Country,
			AboutYou: p.AboutYou, Skills: nonNil(p.Skills), Industries: nonNil(p.Industries),
			TwitterURL: p.TwitterURL, LinkedInURL: p.LinkedInURL,
		},
		RecoveryEmail: p.RecoveryEmail, PendingRecoveryEmail: p.PendingRecoveryEmail,
		Public: p.Public, HasAvatar: !p.Avatar.IsZero(), Avatar: newAvatarJSON(p.Avatar), Missing: missing,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Progress: pr,
	}
}

// profileETag is the entity tag of the profile's own fields (not its
// progress): a strong one, for If-Match.
func profileETag(p profile.Profile) string { return `"` + profile.Version(p) + `"` }

// writeProfile answers 200 with the profile, its progress and its ETag,
// or the error of the step before.
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
	w.Header().Set("ETag", profileETag(p))
	writeJSON(w, http.StatusOK, newProfileJSON(p, pr))
}

func (h *Handler) getProfile(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Profiles.Get(r.Context(), c.ses.Caller())
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
	if decode(w, r, &b, bodyRequired) != nil {
		return
	}
	u := profile.Update{
		Name: b.Name, JobTitle: b.JobTitle, Department: b.Department, Country: b.Country, AboutYou: b.AboutYou,
		Skills: b.Skills, Industries: b.Industries, TwitterURL: b.TwitterURL, LinkedInURL: b.LinkedInURL,
		RecoveryEmail: b.RecoveryEmail, Public: b.Public,
	}
	ifMatch := r.Header.Get("If-Match")
	if ifMatch == "" {
		p, err := h.s.Profiles.Update(r.Context(), c.ses.Caller(), u)
		h.writeProfile(w, r, p, err)
		return
	}
	cur, err := h.s.Profiles.Get(r.Context(), c.ses.Caller())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !matchesStrong(ifMatch, profileETag(cur)) {
		writeError(w, r, http.StatusPreconditionFailed, "precondition_failed")
		return
	}
	// The version is checked again in the transaction of the change.
	p, err := h.s.Profiles.UpdateIfVersion(r.Context(), c.ses.Caller(), profile.Version(cur), u)
	h.writeProfile(w, r, p, err)
}

// confirmRecoveryEmail is POST /v1/me/recovery-email/confirm {code} →
// 200 the profile, whose pending recovery email became the verified one;
// 422 invalid_code for a wrong, expired or used code or when no address
// waits. A new code is sent by PATCHing the same address again.
func (h *Handler) confirmRecoveryEmail(w http.ResponseWriter, r *http.Request, c *caller) {
	var req codeRequest
	if decode(w, r, &req, bodyRequired) != nil || !h.allow(w, r, "code", "recovery:"+c.profileID) {
		return
	}
	p, err := h.s.Profiles.ConfirmRecoveryEmail(r.Context(), c.ses.Caller(), req.Code)
	h.writeProfile(w, r, p, err)
}

// avatarTypes are the media types an avatar upload may be sent as.
var avatarTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "application/octet-stream": true,
}

// putAvatar is PUT /v1/me/profile/avatar with the image as the body.
// The avatar's body must have one of these types, or application/
// octet-stream; the image itself decides which it is.
func (h *Handler) putAvatar(w http.ResponseWriter, r *http.Request, c *caller) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || !avatarTypes[mt] {
		writeError(w, r, http.StatusUnsupportedMediaType, "unsupported_media_type")
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxAvatarBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, r, http.StatusRequestEntityTooLarge, "request_too_large")
		return
	}
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "invalid_body")
		return
	}
	p, err := h.s.Profiles.SetAvatar(r.Context(), c.ses.Caller(), data)
	h.writeProfile(w, r, p, err)
}

func (h *Handler) deleteAvatar(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Profiles.DeleteAvatar(r.Context(), c.ses.Caller())
	h.writeProfile(w, r, p, err)
}

// getAvatar is GET /v1/me/profile/avatar: the owner's avatar, which a
// browser may keep but must revalidate (If-None-Match → 304).
func (h *Handler) getAvatar(w http.ResponseWriter, r *http.Request, c *caller) {
	a, err := h.s.Profiles.Avatar(r.Context(), c.ses.Caller())
	h.writeImage(w, r, a, "private, no-cache", err)
}

// publicAvatar is GET /v1/profiles/{id}/avatar: the avatar of a public
// profile, cacheable by anyone for PublicAvatarMaxAge.
func (h *Handler) publicAvatar(w http.ResponseWriter, r *http.Request) {
	a, err := h.s.Profiles.PublicAvatar(r.Context(), r.PathValue("id"))
	h.writeImage(w, r, a, "public, max-age="+strconv.Itoa(int(PublicAvatarMaxAge.Seconds())), err)
}

// writeImage answers with the avatar's bytes and content type, its ETag
// (the stored digest) and the Cache-Control, or 304 when If-None-Match
// names the ETag.
func (h *Handler) writeImage(w http.ResponseWriter, r *http.Request, a profile.Avatar, cacheControl string, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	etag := `"` + a.Digest + `"`
	hd := w.Header()
	hd.Set("ETag", etag)
	hd.Set("Cache-Control", cacheControl)
	if inm := r.Header.Get("If-None-Match"); inm != "" && matchesWeak(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", a.ContentType)
	hd.Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(a.Data)
	}
}

func (h *Handler) makePublic(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Profiles.MakePublic(r.Context(), c.ses.Caller())
	h.writeProfile(w, r, p, err)
}

func (h *Handler) makePrivate(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Profiles.MakePrivate(r.Context(), c.ses.Caller())
	h.writeProfile(w, r, p, err)
}

// publicProfileJSON is what the community sees of a public profile.
type publicProfileJSON struct {
	profileFields
	HasAvatar      bool                    `json:"has_avatar"`
	Avatar         *avatarJSON             `json:"avatar"`
	Points         int64                   `json:"points"`
	Achievements   []profile.Achievement   `json:"achievements"`
	Certifications []profile.Certification `json:"certifications"`
}

// publicProfile is GET /v1/profiles/{id}: the public view, 404 when the
// profile is private or missing. No session is needed.
func (h *Handler) publicProfile(w http.ResponseWriter, r *http.Request) {
	v, err := h.s.Profiles.PublicView(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, publicProfileJSON{
		profileFields: profileFields{
			ID: v.ID, Name: v.Name, JobTitle: v.JobTitle, Department: v.Department, Country: v.Country,
			AboutYou: v.AboutYou, Skills: nonNil(v.Skills), Industries: nonNil(v.Industries),
			TwitterURL: v.TwitterURL, LinkedInURL: v.LinkedInURL,
		},
		HasAvatar: !v.Avatar.IsZero(),
		Avatar:    newAvatarJSON(v.Avatar), Points: v.Points,
		Achievements: nonNil(v.Achievements), Certifications: nonNil(v.Certifications),
	})
}

// matchesStrong reports whether an If-Match value names etag, with the
// strong comparison RFC 9110 asks for ("*" matches any).
func matchesStrong(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		if t = strings.TrimSpace(t); t == "*" || t == etag {
			return true
		}
	}
	return false
}

// matchesWeak reports whether an If-None-Match value names etag, with the
// weak comparison ("W/" prefixes ignored; "*" matches any).
func matchesWeak(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == "*" || t == etag {
			return true
		}
	}
	return false
}
