package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// publicFields are the fields of a profile that the community sees, as
// profile.PublicProfile holds them.
type publicFields struct {
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

// profileJSON is a profile as its owner sees it: "id", every field of
// the profile's field table by its JSON name (the avatar as has_avatar
// and avatar), then what is missing for a public profile, the times and
// the progress.
type profileJSON struct {
	p        profile.Profile
	Avatar   *avatarJSON
	Missing  []string
	Progress profile.Progress
}

// MarshalJSON writes the members in the order of the field table.
func (j profileJSON) MarshalJSON() ([]byte, error) {
	o := object{{"id", j.p.ID}}
	for _, f := range profile.Fields() {
		if f.Kind == profile.KindAvatar {
			o = append(o, member{"has_avatar", f.IsSet(j.p)}, member{"avatar", j.Avatar})
			continue
		}
		v := f.Get(j.p)
		if l, ok := v.([]string); ok {
			v = nonNil(l)
		}
		o = append(o, member{f.JSON, v})
	}
	o = append(o, member{"missing_for_public", j.Missing},
		member{"created_at", j.p.CreatedAt.UTC()}, member{"updated_at", j.p.UpdatedAt.UTC()},
		member{"progress", j.Progress})
	return o.MarshalJSON()
}

// member is one name and value of a JSON object.
type member struct {
	name  string
	value any
}

// object is a JSON object whose members keep their order.
type object []member

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(m.name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
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
	return profileJSON{p: p, Avatar: newAvatarJSON(p.Avatar), Missing: missing, Progress: pr}
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
	writeProfileJSON(w, p, pr)
}

// writeProfileJSON answers 200 with the profile, its progress and its
// ETag.
func writeProfileJSON(w http.ResponseWriter, p profile.Profile, pr profile.Progress) {
	w.Header().Set("ETag", profileETag(p))
	writeJSON(w, http.StatusOK, newProfileJSON(p, pr))
}

// changeProfile makes a change of the caller's profile and answers the
// profile as writeProfile does. The community progress, which no change
// of the profile alters, is read before the change: a store that cannot
// answer then refuses the request with nothing written, instead of
// answering 503 for a change it committed.
func (h *Handler) changeProfile(w http.ResponseWriter, r *http.Request, c *caller, change func(ctx context.Context) (profile.Profile, error)) {
	pr, err := h.s.Profiles.Progress(r.Context(), c.profileID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := change(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if p.ID != c.profileID { // merged into another since the session was read
		h.writeProfile(w, r, p, nil)
		return
	}
	writeProfileJSON(w, p, pr)
}

func (h *Handler) getProfile(w http.ResponseWriter, r *http.Request, c *caller) {
	p, err := h.s.Profiles.Get(r.Context(), c.ses.Caller())
	h.writeProfile(w, r, p, err)
}

// profilePatch is the body of PATCH /v1/me/profile: every field of the
// profile's field table that an Update sets, by its JSON name; absent
// (or null) fields stay, an empty value clears the field.
type profilePatch struct{ u profile.Update }

// UnmarshalJSON reads the fields the table names, refusing any other
// name as encoding/json does for a struct (unmarshalStrict reports it).
func (b *profilePatch) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return &json.UnmarshalTypeError{Value: "non-object", Type: reflect.TypeFor[profilePatch]()}
	}
	t := profile.Fields()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string) // an object key is a string
		var m json.RawMessage
		if err := dec.Decode(&m); err != nil {
			return err
		}
		if err := b.set(t, name, m); err != nil {
			return err
		}
	}
	return nil
}

// set makes the update set the field named name to the JSON value m, in
// document order, so that the first bad field is the one reported.
func (b *profilePatch) set(t profile.Table, name string, m json.RawMessage) error {
	f, ok := t.Lookup(name)
	if !ok || f.Request == nil {
		return fmt.Errorf("json: unknown field %q", name)
	}
	if string(m) == "null" {
		return nil
	}
	v, err := decodeValue(f, m)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "value", Type: reflect.TypeOf(f.Zero()), Field: name}
	}
	f.Request(&b.u, v)
	return nil
}

// decodeValue decodes the JSON value of the field f into the Go type of
// its kind.
func decodeValue(f profile.Field, m json.RawMessage) (any, error) {
	switch v := f.Zero().(type) {
	case string:
		err := json.Unmarshal(m, &v)
		return v, err
	case []string:
		err := json.Unmarshal(m, &v)
		return v, err
	case bool:
		err := json.Unmarshal(m, &v)
		return v, err
	}
	return nil, fmt.Errorf("field %s cannot be set", f.JSON)
}

func (h *Handler) patchProfile(w http.ResponseWriter, r *http.Request, c *caller) {
	var b profilePatch
	if decode(w, r, &b, bodyRequired) != nil {
		return
	}
	u := b.u
	ifMatch := r.Header.Get("If-Match")
	if ifMatch == "" {
		h.changeProfile(w, r, c, func(ctx context.Context) (profile.Profile, error) {
			return h.s.Profiles.Update(ctx, c.ses.Caller(), u)
		})
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
	h.changeProfile(w, r, c, func(ctx context.Context) (profile.Profile, error) {
		return h.s.Profiles.UpdateIfVersion(ctx, c.ses.Caller(), profile.Version(cur), u)
	})
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
	h.changeProfile(w, r, c, func(ctx context.Context) (profile.Profile, error) {
		return h.s.Profiles.ConfirmRecoveryEmail(ctx, c.ses.Caller(), req.Code)
	})
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
	h.changeProfile(w, r, c, func(ctx context.Context) (profile.Profile, error) {
		return h.s.Profiles.SetAvatar(ctx, c.ses.Caller(), data)
	})
}

func (h *Handler) deleteAvatar(w http.ResponseWriter, r *http.Request, c *caller) {
	h.changeProfile(w, r, c, func(ctx context.Context) (profile.Profile, error) {
		return h.s.Profiles.DeleteAvatar(ctx, c.ses.Caller())
	})
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
	h.changeProfile(w, r, c, func(ctx context.Context) (profile.Profile, error) {
		return h.s.Profiles.MakePublic(ctx, c.ses.Caller())
	})
}

func (h *Handler) makePrivate(w http.ResponseWriter, r *http.Request, c *caller) {
	h.changeProfile(w, r, c, func(ctx context.Context) (profile.Profile, error) {
		return h.s.Profiles.MakePrivate(ctx, c.ses.Caller())
	})
}

// publicProfileJSON is what the community sees of a public profile.
type publicProfileJSON struct {
	publicFields
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
		publicFields: publicFields{
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
