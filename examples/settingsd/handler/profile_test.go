package handler_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"slices"
	"testing"
	"time"
)

// pngImage returns a small PNG image.
func pngImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// profileBody is the JSON of a profile answer.
type profileBody struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	JobTitle      string   `json:"job_title"`
	Country       string   `json:"country"`
	Skills        []string `json:"skills"`
	RecoveryEmail string   `json:"recovery_email"`
	Public        bool     `json:"public"`
	HasAvatar     bool     `json:"has_avatar"`
	Avatar        *struct {
		ContentType string `json:"content_type"`
		Size        int    `json:"size"`
		Width       int    `json:"width"`
		Height      int    `json:"height"`
		Digest      string `json:"digest"`
	} `json:"avatar"`
	Missing   []string  `json:"missing_for_public"`
	UpdatedAt time.Time `json:"updated_at"`
	Progress  *struct {
		Points int64 `json:"points"`
	} `json:"progress"`
}

func TestProfile(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	var p profileBody
	r := e.do("GET", "/v1/me/profile", nil, u.auth()...)
	want(t, "get", r, 200, "")
	r.into(t, &p)
	if p.ID != u.profileID || p.Public || p.HasAvatar || p.Progress == nil || p.Skills == nil {
		t.Errorf("new profile = %+v (body %s)", p, r.body)
	}
	for _, k := range []string{"id", "name", "job_title", "department", "country", "about_you", "skills",
		"industry_experience", "twitter_url", "linkedin_url", "recovery_email", "public", "has_avatar", "avatar",
		"missing_for_public", "created_at", "updated_at", "progress"} {
		if _, ok := r.obj(t)[k]; !ok {
			t.Errorf("profile JSON has no %q", k)
		}
	}
	if w := []string{"avatar", "job_title", "department", "country", "about_you", "skill", "industry"}; !slices.Equal(p.Missing, w) {
		t.Errorf("missing_for_public of a new profile = %v, want %v", p.Missing, w)
	}
	if p.Avatar != nil || p.UpdatedAt.IsZero() {
		t.Errorf("new profile: avatar %+v, updated_at %v; want null and a time", p.Avatar, p.UpdatedAt)
	}

	r = e.do("PATCH", "/v1/me/profile", map[string]any{"country": "XX", "linkedin_url": "https://example.com/x", "name": "Ada"}, u.auth()...)
	want(t, "invalid patch", r, 422, "invalid_profile")
	var inv struct{ Fields map[string]string }
	r.into(t, &inv)
	if inv.Fields["country"] != "unknown_country" || inv.Fields["linkedin_url"] != "wrong_host" || len(inv.Fields) != 2 {
		t.Errorf("fields = %v, want country and linkedin_url", inv.Fields)
	}
	r = e.do("PATCH", "/v1/me/profile", map[string]any{"name": "Ada", "country": "nl", "skills": []string{"Go", " go "}}, u.auth()...)
	want(t, "patch", r, 200, "")
	r.into(t, &p)
	if p.Name != "Ada" || p.Country != "NL" || !slices.Equal(p.Skills, []string{"Go"}) {
		t.Errorf("patched profile = %+v", p)
	}

	r = e.do("POST", "/v1/me/profile/public", nil, u.auth()...)
	want(t, "incomplete", r, 422, "profile_incomplete")
	var inc struct{ Missing []string }
	r.into(t, &inc)
	if w := []string{"avatar", "job_title", "department", "about_you", "industry"}; !slices.Equal(inc.Missing, w) {
		t.Errorf("missing = %v, want %v", inc.Missing, w)
	}
	want(t, "private view of a private profile", e.do("GET", "/v1/profiles/"+u.profileID, nil), 404, "not_found")
}

func TestAvatarAndPublicProfile(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	want(t, "not an image", e.do("PUT", "/v1/me/profile/avatar", []byte("hello"), asImage(u.auth())...), 422, "invalid_profile")
	want(t, "too large", e.do("PUT", "/v1/me/profile/avatar", make([]byte, 6<<20), asImage(u.auth())...), 413, "request_too_large")
	img := pngImage(t)
	r := e.do("PUT", "/v1/me/profile/avatar", img, asImage(u.auth())...)
	want(t, "avatar", r, 200, "")
	var withAvatar profileBody
	r.into(t, &withAvatar)
	if !withAvatar.HasAvatar || withAvatar.Avatar == nil || withAvatar.Avatar.ContentType != "image/png" ||
		withAvatar.Avatar.Width != 4 || withAvatar.Avatar.Size != len(img) || len(withAvatar.Avatar.Digest) != 64 ||
		slices.Contains(withAvatar.Missing, "avatar") {
		t.Errorf("profile after upload: has_avatar %v, avatar %+v, missing %v", withAvatar.HasAvatar, withAvatar.Avatar, withAvatar.Missing)
	}
	// The avatar served is a re-encoding of the upload, with its pixels.
	r = e.do("GET", "/v1/me/profile/avatar", nil, u.auth()...)
	stored, err := png.Decode(bytes.NewReader(r.body))
	if r.status != 200 || r.header.Get("Content-Type") != "image/png" || err != nil ||
		stored.Bounds().Dx() != 4 || stored.At(1, 1) != color.NRGBA(color.RGBA{R: 200, A: 255}) {
		t.Errorf("own avatar: %d %s, %d bytes, %v", r.status, r.header.Get("Content-Type"), len(r.body), err)
	}
	own := r.body
	complete := map[string]any{
		"job_title": "Engineer", "department": "R&D", "country": "NL", "about_you": "Builds things.",
		"skills": []string{"Go"}, "industry_experience": []string{"Energy"}, "recovery_email": "ada@home.example",
	}
	want(t, "complete", e.do("PATCH", "/v1/me/profile", complete, u.auth()...), 200, "")
	r = e.do("POST", "/v1/me/profile/public", nil, u.auth()...)
	want(t, "public", r, 200, "")
	if r.obj(t)["public"] != true {
		t.Errorf("public = %v", r.obj(t)["public"])
	}

	r = e.do("GET", "/v1/profiles/"+u.profileID, nil)
	want(t, "public view", r, 200, "")
	pub := r.obj(t)
	if pub["job_title"] != "Engineer" || pub["has_avatar"] != true {
		t.Errorf("public view = %v", pub)
	}
	if _, ok := pub["recovery_email"]; ok {
		t.Error("public view shows the recovery email")
	}
	if r := e.do("GET", "/v1/profiles/"+u.profileID+"/avatar", nil); r.status != 200 || !bytes.Equal(r.body, own) {
		t.Errorf("public avatar: status %d", r.status)
	}
	want(t, "avatar of a public profile", e.do("DELETE", "/v1/me/profile/avatar", nil, u.auth()...), 422, "profile_incomplete")

	want(t, "private", e.do("POST", "/v1/me/profile/private", nil, u.auth()...), 200, "")
	want(t, "public view of a private profile", e.do("GET", "/v1/profiles/"+u.profileID, nil), 404, "not_found")
	want(t, "unknown profile", e.do("GET", "/v1/profiles/prf_nobody", nil), 404, "not_found")
	r = e.do("DELETE", "/v1/me/profile/avatar", nil, u.auth()...)
	want(t, "delete avatar", r, 200, "")
	if r.obj(t)["has_avatar"] != false {
		t.Error("has_avatar still true after deletion")
	}
}

// asImage adds the Content-Type of a PNG upload to the headers.
func asImage(headers []string) []string { return append(headers, "Content-Type", "image/png") }
