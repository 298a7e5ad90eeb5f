package handler_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
)

func TestNotifications(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	type settings struct {
		DailyDigest   bool `json:"daily_digest"`
		ThreadUpdates bool `json:"thread_updates"`
		WatchedApps   []struct {
			AppID   string `json:"app_id"`
			AppName string `json:"app_name"`
		} `json:"watched_apps"`
	}
	var s settings
	r := e.do("GET", "/v1/me/notifications", nil, u.auth()...)
	want(t, "get", r, 200, "")
	r.into(t, &s)
	if s.DailyDigest || !s.ThreadUpdates || s.WatchedApps == nil || len(s.WatchedApps) != 0 {
		t.Errorf("defaults = %+v (body %s)", s, r.body)
	}
	r = e.do("PATCH", "/v1/me/notifications", map[string]bool{"daily_digest": true}, u.auth()...)
	want(t, "patch", r, 200, "")
	r.into(t, &s)
	if !s.DailyDigest || !s.ThreadUpdates {
		t.Errorf("after patch = %+v, want both on", s)
	}
	want(t, "watch", e.do("PUT", "/v1/me/notifications/watched-apps/app-1", map[string]string{"name": "Shop"}, u.auth()...), 204, "")
	want(t, "watch without body", e.do("PUT", "/v1/me/notifications/watched-apps/app-2", nil, u.auth()...), 204, "")
	e.do("GET", "/v1/me/notifications", nil, u.auth()...).into(t, &s)
	if len(s.WatchedApps) != 2 || s.WatchedApps[0].AppName != "Shop" {
		t.Errorf("watched = %+v", s.WatchedApps)
	}
	want(t, "unwatch", e.do("DELETE", "/v1/me/notifications/watched-apps/app-1", nil, u.auth()...), 204, "")
	want(t, "unwatch again", e.do("DELETE", "/v1/me/notifications/watched-apps/app-1", nil, u.auth()...), 204, "")
	e.do("GET", "/v1/me/notifications", nil, u.auth()...).into(t, &s)
	if len(s.WatchedApps) != 1 || s.WatchedApps[0].AppID != "app-2" {
		t.Errorf("watched after unwatch = %+v", s.WatchedApps)
	}
}

func TestPersonalData(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	want(t, "patch", e.do("PATCH", "/v1/me/profile", map[string]any{"job_title": "Engineer"}, u.auth()...), 200, "")
	want(t, "avatar", e.do("PUT", "/v1/me/profile/avatar", pngImage(t), asImage(u.auth())...), 200, "")

	r := e.do("GET", "/v1/me/personal-data", nil, u.auth()...)
	want(t, "view", r, 200, "")
	var view struct {
		SchemaVersion int `json:"schema_version"`
		Profile       struct {
			ID       string `json:"id"`
			JobTitle string `json:"job_title"`
		} `json:"profile"`
		Accounts []struct{ Email string } `json:"accounts"`
		Sessions []struct {
			ID        string    `json:"id"`
			AccountID string    `json:"account_id"`
			CreatedAt time.Time `json:"created_at"`
		} `json:"sessions"`
		Extra   map[string]any   `json:"extra"`
		History []map[string]any `json:"history"`
	}
	r.into(t, &view)
	if view.SchemaVersion != 1 || view.Profile.ID != u.profileID || view.Profile.JobTitle != "Engineer" ||
		len(view.Accounts) != 1 || len(view.History) == 0 || len(view.Sessions) != 1 || view.Extra != nil {
		t.Errorf("view = %+v", view)
	}
	if s := view.Sessions; len(s) == 1 && (s[0].ID == "" || s[0].AccountID == "" || s[0].CreatedAt.IsZero()) {
		t.Errorf("session in the view = %+v, want its id, account and sign-in time", s[0])
	}
	if bytes.Contains(r.body, []byte(u.session)) || bytes.Contains(r.body, []byte(pw)) {
		t.Error("the view holds the session secret or the password")
	}

	r = e.do("GET", "/v1/me/personal-data/download", nil, u.auth()...)
	want(t, "download", r, 200, "")
	if ct, cd := r.header.Get("Content-Type"), r.header.Get("Content-Disposition"); ct != "application/zip" ||
		cd != `attachment; filename="personal-data.zip"` {
		t.Errorf("download headers: %q, %q", ct, cd)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		t.Fatalf("download is not a ZIP: %v", err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		if f.Name == "personal-data.json" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			if !json.Valid(data) {
				t.Error("personal-data.json is not valid JSON")
			}
		}
	}
	if !names["personal-data.json"] || !names["avatar.png"] {
		t.Errorf("ZIP files = %v, want personal-data.json and avatar.png", names)
	}

	r = e.do("GET", "/v1/me/personal-data/history?page=1&page_size=2", nil, u.auth()...)
	want(t, "history", r, 200, "")
	var page struct {
		Entries  []map[string]any `json:"entries"`
		Page     int              `json:"page"`
		PageSize int              `json:"page_size"`
		More     bool             `json:"more"`
	}
	r.into(t, &page)
	if page.Page != 1 || page.PageSize != 2 || len(page.Entries) != 2 || !page.More {
		t.Errorf("history page = %+v", page)
	}
	want(t, "bad page", e.do("GET", "/v1/me/personal-data/history?page=zero", nil, u.auth()...), 400, "invalid_query")
}

func TestDevOutbox(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/v1/signup", map[string]any{"email": "ada@example.com", "password": pw})
	r := e.do("GET", "/v1/dev/outbox", nil)
	want(t, "outbox", r, 200, "")
	var mails []map[string]any
	r.items(t, &mails)
	if len(mails) != 1 || mails[0]["to"] != "ada@example.com" || mails[0]["subject"] == "" || mails[0]["sent_at"] == "" {
		t.Errorf("outbox = %v", mails)
	}
	for _, k := range []string{"to", "subject", "body", "sent_at"} {
		if _, ok := mails[0][k]; !ok {
			t.Errorf("mail has no %q", k)
		}
	}
}

// TestErasePersonalData erases a person with two accounts: a stale
// session is refused and changes nothing; a fresh one erases the profile
// and both accounts, ends every session, clears the cookie and frees the
// addresses. Another person is untouched.
func TestErasePersonalData(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	bob := e.signUp("bob@example.com")
	r := e.do("POST", "/v1/me/accounts", map[string]any{"email": "ada@work.example", "password": pw}, u.auth()...)
	want(t, "add", r, 202, "")
	path := "/v1/me/accounts/pending/" + r.obj(t)["pending_id"].(string) + "/verify"
	want(t, "add verify", e.do("POST", path, map[string]string{"code": e.code("ada@work.example")}, u.auth()...), 201, "")
	work := e.login("ada@work.example", pw)

	e.clock.Advance(time.Hour + time.Second)
	want(t, "stale", e.do("DELETE", "/v1/me/personal-data", nil, u.auth()...), 403, "reauthentication_required")
	want(t, "after the refusal", e.do("GET", "/v1/me/personal-data", nil, u.auth()...), 200, "")

	u = e.login("ada@example.com", pw)
	r = e.do("DELETE", "/v1/me/personal-data", nil, u.auth()...)
	want(t, "erase", r, 204, "")
	if len(r.body) != 0 {
		t.Errorf("erase answered a body: %s", r.body)
	}
	cleared := false
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		cleared = cleared || c.Name == handler.CookieName && c.MaxAge < 0
	}
	if !cleared {
		t.Errorf("erase did not clear the session cookie: %v", r.header["Set-Cookie"])
	}
	for _, s := range []user{u, work} {
		want(t, "session of "+s.email, e.do("GET", "/v1/me/profile", nil, s.auth()...), 401, "unauthenticated")
		want(t, "sign-in of "+s.email, e.do("POST", "/v1/sessions", map[string]string{"email": s.email, "password": pw}), 401, "invalid_credentials")
	}
	want(t, "the other person", e.do("GET", "/v1/me/profile", nil, bob.auth()...), 200, "")
	again := e.signUp("ada@example.com")
	if again.profileID == u.profileID {
		t.Error("signing up again found the erased profile")
	}
}

// DELETE /v1/me/personal-data?keep_accounts=true erases the profile's
// details and history but keeps the accounts signed in and able to sign
// in; a stale session is refused and changes nothing, and a value that
// is not a boolean is 400.
func TestErasePersonalDataKeepingAccounts(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	want(t, "profile", e.do("PATCH", "/v1/me/profile", map[string]string{"job_title": "Engineer"}, u.auth()...), 200, "")
	want(t, "notifications", e.do("PATCH", "/v1/me/notifications", map[string]bool{"daily_digest": true}, u.auth()...), 200, "")
	want(t, "a bad value", e.do("DELETE", "/v1/me/personal-data?keep_accounts=yes", nil, u.auth()...), 400, "invalid_query")

	e.clock.Advance(time.Hour + time.Second)
	want(t, "stale", e.do("DELETE", "/v1/me/personal-data?keep_accounts=true", nil, u.auth()...), 403, "reauthentication_required")
	if p := e.do("GET", "/v1/me/profile", nil, u.auth()...).obj(t); p["job_title"] != "Engineer" {
		t.Fatalf("a refused erasure changed the profile: %v", p)
	}

	u = e.login("ada@example.com", pw)
	r := e.do("DELETE", "/v1/me/personal-data?keep_accounts=true", nil, u.auth()...)
	want(t, "erase keeping the accounts", r, 204, "")
	if len(r.header["Set-Cookie"]) != 0 {
		t.Errorf("the erasure that keeps the accounts touched cookies: %v", r.header["Set-Cookie"])
	}
	if p := e.do("GET", "/v1/me/profile", nil, u.auth()...).obj(t); p["job_title"] != "" {
		t.Errorf("job title after the erasure = %v, want empty", p["job_title"])
	}
	if n := e.do("GET", "/v1/me/notifications", nil, u.auth()...).obj(t); n["daily_digest"] == true {
		t.Errorf("notifications after the erasure = %v, want the defaults", n)
	}
	var hist struct{ Entries []any }
	if err := json.Unmarshal(e.do("GET", "/v1/me/personal-data/history", nil, u.auth()...).body, &hist); err != nil || len(hist.Entries) != 0 {
		t.Errorf("history after the erasure: %d entries, %v; want none", len(hist.Entries), err)
	}
	want(t, "the session goes on", e.do("GET", "/v1/me/accounts", nil, u.auth()...), 200, "")
	want(t, "sign-in", e.do("POST", "/v1/sessions", map[string]string{"email": "ada@example.com", "password": pw}), 201, "")
}
