package handler_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/storage/memory"
)

// TestMethodNotAllowed checks that a known path asked with another method
// answers 405 with Allow, and an unknown path 404, both in JSON.
func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	r := e.do("PUT", "/v1/me/profile", map[string]string{"name": "Ada"})
	want(t, "PUT on the profile", r, 405, "method_not_allowed")
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") || strings.Contains(allow, "PUT") {
		t.Errorf("Allow = %q, want GET and PATCH, not PUT", allow)
	}
	want(t, "DELETE on the sessions", e.do("DELETE", "/v1/sessions", nil), 405, "method_not_allowed")
	want(t, "unknown path", e.do("GET", "/v1/nope", nil), 404, "not_found")
	want(t, "unknown path, other method", e.do("POST", "/v1/nope/deeper", nil), 404, "not_found")
}

// TestUnsupportedMediaType checks that a JSON route refuses any other
// Content-Type, so an HTML form cannot sign someone in (login CSRF).
func TestUnsupportedMediaType(t *testing.T) {
	e := newEnv(t)
	e.signUp("ada@example.com")
	body := []byte(`{"email":"ada@example.com","password":"` + pw + `"}`)
	for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x",
		"application/json; charset=latin1", "application/jsonx"} {
		r := e.do("POST", "/v1/sessions", body, "Content-Type", ct)
		want(t, "login as "+ct, r, 415, "unsupported_media_type")
		if r.header.Get("Set-Cookie") != "" {
			t.Errorf("login as %s set a cookie", ct)
		}
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/sessions", bytes.NewReader(body))
	res, err := e.srv.Client().Do(req) // no Content-Type at all
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 415 {
		t.Errorf("login without Content-Type: status %d, want 415", res.StatusCode)
	}
	want(t, "login with a charset", e.do("POST", "/v1/sessions", body, "Content-Type", "application/json; charset=UTF-8"), 201, "")
	u := e.login("ada@example.com", pw)
	want(t, "avatar as text", e.do("PUT", "/v1/me/profile/avatar", pngImage(t), append(u.auth(), "Content-Type", "text/plain")...), 415, "unsupported_media_type")
}

// TestUnknownFieldNamed checks that a misspelt or mistyped field is named
// in the 400 answer.
func TestUnknownFieldNamed(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	r := e.do("PATCH", "/v1/me/profile", map[string]string{"nmae": "Ada"}, u.auth()...)
	want(t, "misspelt field", r, 400, "invalid_json")
	if f := r.obj(t)["field"]; f != "nmae" {
		t.Errorf("field = %v, want nmae", f)
	}
	r = e.do("PATCH", "/v1/me/profile", map[string]any{"skills": "Go"}, u.auth()...)
	want(t, "mistyped field", r, 400, "invalid_json")
	if f := r.obj(t)["field"]; f != "skills" {
		t.Errorf("field = %v, want skills", f)
	}
	r = e.do("PATCH", "/v1/me/profile", []byte(`{"name":`), u.auth()...)
	want(t, "cut JSON", r, 400, "invalid_json")
	if _, ok := r.obj(t)["field"]; ok {
		t.Errorf("cut JSON names a field: %s", r.body)
	}
}

// TestInvalidUTF8 checks that a string that is not valid UTF-8 is refused
// rather than silently replaced by U+FFFD.
func TestInvalidUTF8(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	for name, body := range map[string]string{
		"raw byte":            "{\"name\":\"Ad\xffa\"}",
		"lone high surrogate": `{"name":"Ad\ud800a"}`,
		"lone low surrogate":  `{"name":"\udc00"}`,
		"reversed pair":       `{"name":"\ude00\ud83d"}`,
	} {
		r := e.do("PATCH", "/v1/me/profile", []byte(body), u.auth()...)
		want(t, name, r, 400, "invalid_json")
		if got := r.obj(t)["reason"]; got != "invalid_utf8" {
			t.Errorf("%s: reason %v, want invalid_utf8", name, got)
		}
	}
	r := e.do("GET", "/v1/me/profile", nil, u.auth()...)
	if n := r.obj(t)["name"]; n != "" {
		t.Errorf("name after refused patches = %q, want it unchanged", n)
	}
	for name, c := range map[string]struct{ body, want string }{
		"surrogate pair":       {`{"name":"Ada \ud83d\ude00"}`, "Ada 😀"},
		"escaped backslash":    {`{"name":"C:\\ud800"}`, `C:\ud800`},
		"replacement escaped":  {`{"name":"\ufffd"}`, "\ufffd"},
		"replacement verbatim": {"{\"name\":\"\xef\xbf\xbd\"}", "\ufffd"},
	} {
		r := e.do("PATCH", "/v1/me/profile", []byte(c.body), u.auth()...)
		want(t, name, r, 200, "")
		if got := r.obj(t)["name"]; got != c.want {
			t.Errorf("%s: name %q, want %q", name, got, c.want)
		}
	}
}

// TestHistoryPageBounds checks that page numbers that would overflow the
// offset are refused.
func TestHistoryPageBounds(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	for _, q := range []string{"page=9223372036854775807", "page=99999999999999999999", "page=1000001",
		"page=0", "page=-1", "page_size=501", "page_size=0"} {
		want(t, q, e.do("GET", "/v1/me/personal-data/history?"+q, nil, u.auth()...), 400, "invalid_query")
	}
	want(t, "last page", e.do("GET", "/v1/me/personal-data/history?page=1000000&page_size=500", nil, u.auth()...), 200, "")
}

// TestProfileETag checks that two tabs editing the profile cannot
// overwrite each other: the second PATCH with the first's ETag fails.
func TestProfileETag(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	r := e.do("GET", "/v1/me/profile", nil, u.auth()...)
	etag := r.header.Get("ETag")
	if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
		t.Fatalf("ETag = %q, want a strong tag", etag)
	}
	if again := e.do("GET", "/v1/me/profile", nil, u.auth()...).header.Get("ETag"); again != etag {
		t.Errorf("ETag of an unchanged profile changed: %s, then %s", etag, again)
	}

	// Tab one saves its skills; tab two, still holding the old ETag, is refused.
	r = e.do("PATCH", "/v1/me/profile", map[string]any{"skills": []string{"Go"}}, append(u.auth(), "If-Match", etag)...)
	want(t, "first tab", r, 200, "")
	newTag := r.header.Get("ETag")
	if newTag == "" || newTag == etag {
		t.Fatalf("ETag after the change = %q, want a new one (was %s)", newTag, etag)
	}
	if got := e.do("GET", "/v1/me/profile", nil, u.auth()...).header.Get("ETag"); got != newTag {
		t.Errorf("GET after PATCH: ETag %s, want the PATCH's %s", got, newTag)
	}
	r = e.do("PATCH", "/v1/me/profile", map[string]any{"skills": []string{"SQL"}}, append(u.auth(), "If-Match", etag)...)
	want(t, "second tab", r, 412, "precondition_failed")
	var p profileBody
	e.do("GET", "/v1/me/profile", nil, u.auth()...).into(t, &p)
	if len(p.Skills) != 1 || p.Skills[0] != "Go" {
		t.Errorf("skills after the refused PATCH = %v, want [Go]", p.Skills)
	}

	want(t, "weak tag", e.do("PATCH", "/v1/me/profile", map[string]any{"name": "A"}, append(u.auth(), "If-Match", "W/"+newTag)...), 412, "precondition_failed")
	want(t, "tag among others", e.do("PATCH", "/v1/me/profile", map[string]any{"name": "A"}, append(u.auth(), "If-Match", `"x", `+newTag)...), 200, "")
	want(t, "any tag", e.do("PATCH", "/v1/me/profile", map[string]any{"name": "B"}, append(u.auth(), "If-Match", "*")...), 200, "")
	want(t, "no If-Match", e.do("PATCH", "/v1/me/profile", map[string]any{"name": "C"}, u.auth()...), 200, "")
}

// TestAvatarCaching checks the ETag of avatars and the public avatar's
// Cache-Control, and that If-None-Match answers 304.
func TestAvatarCaching(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	var p profileBody
	e.do("PUT", "/v1/me/profile/avatar", pngImage(t), asImage(u.auth())...).into(t, &p)
	etag := `"` + p.Avatar.Digest + `"`

	r := e.do("GET", "/v1/me/profile/avatar", nil, u.auth()...)
	if r.header.Get("ETag") != etag || r.header.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("own avatar: ETag %q, Cache-Control %q; want %s, private, no-cache", r.header.Get("ETag"), r.header.Get("Cache-Control"), etag)
	}
	r = e.do("GET", "/v1/me/profile/avatar", nil, append(u.auth(), "If-None-Match", etag)...)
	if r.status != 304 || len(r.body) != 0 {
		t.Errorf("own avatar with If-None-Match: %d, %d bytes; want 304, none", r.status, len(r.body))
	}

	complete := map[string]any{"job_title": "Engineer", "department": "R&D", "country": "NL", "about_you": "Hi.",
		"skills": []string{"Go"}, "industry_experience": []string{"Energy"}, "public": true}
	want(t, "make public", e.do("PATCH", "/v1/me/profile", complete, u.auth()...), 200, "")
	path := "/v1/profiles/" + u.profileID + "/avatar"
	r = e.do("GET", path, nil)
	want(t, "public avatar", r, 200, "")
	if r.header.Get("ETag") != etag || r.header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("public avatar: ETag %q, Cache-Control %q; want %s, public, max-age=300", r.header.Get("ETag"), r.header.Get("Cache-Control"), etag)
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		if r := e.do("GET", path, nil, "If-None-Match", inm); r.status != 304 || r.header.Get("ETag") != etag || len(r.body) != 0 {
			t.Errorf("If-None-Match %s: %d, ETag %q, %d bytes; want 304 with the ETag", inm, r.status, r.header.Get("ETag"), len(r.body))
		}
	}
	if r := e.do("GET", path, nil, "If-None-Match", `"other"`); r.status != 200 || len(r.body) == 0 {
		t.Errorf("If-None-Match of another image: %d", r.status)
	}
	want(t, "make private", e.do("POST", "/v1/me/profile/private", nil, u.auth()...), 200, "")
	want(t, "private avatar, cached tag", e.do("GET", path, nil, "If-None-Match", etag), 404, "not_found")
}

// TestRequestID checks that a well-formed incoming request ID is kept, a
// bad one replaced, and that answers, error bodies and log lines carry it.
func TestRequestID(t *testing.T) {
	logw := &syncWriter{b: &bytes.Buffer{}}
	e := newEnv(t, handler.WithLogger(slog.New(slog.NewTextHandler(logw, nil))))
	r := e.do("GET", "/v1/me/profile", nil, handler.RequestIDHeader, "trace-42.a:b")
	want(t, "no session", r, 401, "unauthenticated")
	if r.header.Get(handler.RequestIDHeader) != "trace-42.a:b" || r.obj(t)["request_id"] != "trace-42.a:b" {
		t.Errorf("request ID: header %q, body %v; want trace-42.a:b", r.header.Get(handler.RequestIDHeader), r.obj(t)["request_id"])
	}
	seen := map[string]bool{}
	for _, bad := range []string{"", "has space", "semi;colon", strings.Repeat("a", 129), "é"} {
		r := e.do("GET", "/v1/nope", nil, handler.RequestIDHeader, bad)
		id := r.header.Get(handler.RequestIDHeader)
		if !strings.HasPrefix(id, "req_") || id == bad || seen[id] || r.obj(t)["request_id"] != id {
			t.Errorf("incoming %q: request ID %q, body %s; want a fresh req_ one", bad, id, r.body)
		}
		seen[id] = true
	}
	if r := e.do("GET", "/healthz", nil); !strings.HasPrefix(r.header.Get(handler.RequestIDHeader), "req_") {
		t.Errorf("a 200 without a request ID header: %v", r.header)
	}
	var logs string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if logs = logw.String(); strings.Contains(logs, "/healthz") {
			break
		}
	}
	for line := range strings.Lines(logs) {
		if !strings.Contains(line, "request_id=") {
			t.Errorf("log line without request_id: %s", line)
		}
	}
	if !strings.Contains(logs, "request_id=trace-42.a:b") {
		t.Errorf("no log line of the incoming request ID:\n%s", logs)
	}
}

// panicStore panics when the profile "prf_boom" is read.
type panicStore struct{ *memory.Store }

func (s panicStore) Profile(ctx context.Context, id string) (profile.Profile, error) {
	if id == "prf_boom" {
		panic("boom: secret detail")
	}
	return s.Store.Profile(ctx, id)
}

// TestPanic checks that a panic is logged with its stack trace and
// answered 500 without details.
func TestPanic(t *testing.T) {
	s, err := usersettings.New(panicStore{memory.New()}, usersettings.Options{Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	logw := &syncWriter{b: &bytes.Buffer{}}
	srv := httptest.NewServer(contract(t, handler.New(s, handler.WithLogger(slog.New(slog.NewJSONHandler(logw, nil))))))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/v1/profiles/prf_boom")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	res.Body.Close()
	id := res.Header.Get(handler.RequestIDHeader)
	if res.StatusCode != 500 || body.String() != `{"error":"internal","request_id":"`+id+`"}`+"\n" {
		t.Errorf("panic answer: %d %s", res.StatusCode, body.String())
	}
	var logs string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if logs = logw.String(); strings.Contains(logs, `"status":500`) {
			break
		}
	}
	if !strings.Contains(logs, "boom: secret detail") || !strings.Contains(logs, `"stack":"goroutine`) ||
		!strings.Contains(logs, "TestPanic") && !strings.Contains(logs, "panicStore") || !strings.Contains(logs, id) {
		t.Errorf("the log lacks the panic, its stack or the request ID:\n%s", logs)
	}
}

// TestHealthAndReadiness checks /healthz and /readyz, with and without a
// readiness check.
func TestHealthAndReadiness(t *testing.T) {
	var down error
	e := newEnv(t, handler.WithReadiness(func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			return errors.New("no deadline")
		}
		return down
	}))
	r := e.do("GET", "/healthz", nil)
	if r.status != 200 || r.obj(t)["status"] != "ok" {
		t.Errorf("healthz: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/readyz", nil)
	if r.status != 200 || r.obj(t)["status"] != "ready" {
		t.Errorf("readyz: %d %s", r.status, r.body)
	}
	down = errors.New("schema at version 3, want 4")
	r = e.do("GET", "/readyz", nil)
	want(t, "readyz while down", r, 503, "not_ready")
	if bytes.Contains(r.body, []byte("schema")) {
		t.Errorf("readyz tells why: %s", r.body)
	}
	if r := e.do("GET", "/healthz", nil); r.status != 200 {
		t.Errorf("healthz while not ready: %d", r.status)
	}
}
