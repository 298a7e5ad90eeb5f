package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// TestErasureLeavesNoTrace erases a person through the JSON API (deleting
// their last account) and then searches the server's log and the SQLite
// database, its -wal and its -shm for every personal value they wrote:
// the address, profile texts, a token's name and an API key's
// description. None may be left.
func TestErasureLeavesNoTrace(t *testing.T) {
	t.Setenv("SETTINGSD_CODE_KEY", "")
	t.Setenv("SETTINGSD_TWOFACTOR_KEY", "")
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "settingsd.db")
	c, err := parseConfig([]string{"-dev", "-db", dbPath}, env())
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, closeDB, err := openStore(ctx, c, log)
	if err != nil {
		t.Fatal(err)
	}
	o, dev, err := options(c)
	if err != nil {
		t.Fatal(err)
	}
	o.OnEvent = logEvents(log)
	s, err := usersettings.New(st, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newMux(c, s, st, dev, readiness(st), log))
	defer srv.Close()

	personal := map[string]string{
		"email":           "zelda.erasure.q7@example.org",
		"job title":       "Keeper of Lighthouse 4471",
		"about you":       "Grows saffron on Zanzibar-77",
		"token name":      "laptop-token-qq8",
		"key description": "deploy-key-zz9 for the barn",
	}
	const pw = "Correct-Horse-9-Battery"
	call := func(method, path string, body any, secret string, want int) map[string]any {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if secret != "" {
			req.Header.Set("Authorization", "Session "+secret)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, data, want)
		}
		var out map[string]any
		_ = json.Unmarshal(data, &out)
		return out
	}
	email := personal["email"]
	id := call("POST", "/v1/signup", map[string]any{"email": email, "password": pw}, "", 202)["signup_id"].(string)
	call("POST", "/v1/signup/"+id+"/verify", map[string]string{"code": devCode(t, srv.URL, email)}, "", 201)
	secret := call("POST", "/v1/sessions", map[string]any{"email": email, "password": pw, "session_in_body": true}, "", 201)["session"].(string)
	call("PATCH", "/v1/me/profile", map[string]any{"job_title": personal["job title"], "about_you": personal["about you"]}, secret, 200)
	call("POST", "/v1/me/tokens", map[string]any{"name": personal["token name"], "scopes": []string{"mx:app:read"}}, secret, 201)
	call("POST", "/v1/me/api-keys", map[string]any{"description": personal["key description"]}, secret, 201)
	call("DELETE", "/v1/me/accounts/current", nil, secret, 204)

	srv.Close()
	closeDB()
	files := map[string][]byte{"log": []byte(logs.String())}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(dbPath + suffix); err == nil {
			files["database"+suffix] = b
		} else if !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if len(files["database"]) == 0 {
		t.Fatal("no database file to search")
	}
	for what, value := range personal {
		for name, data := range files {
			if bytes.Contains(data, []byte(value)) || bytes.Contains(bytes.ToLower(data), []byte(strings.ToLower(value))) {
				t.Errorf("the %s (%q) is still in the %s after erasure", what, value, name)
			}
		}
	}
}

// devCode returns the last code the -dev outbox holds for the address.
func devCode(t *testing.T, base, to string) string {
	t.Helper()
	res, err := http.Get(base + "/v1/dev/outbox")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var box struct {
		Items []struct {
			To   string `json:"to"`
			Body string `json:"body"`
		} `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&box); err != nil {
		t.Fatal(err)
	}
	code := ""
	for _, m := range box.Items {
		if m.To == to {
			if c, ok := usersettingstest.FindMailCode(m.Body); ok {
				code = c
			}
		}
	}
	if code == "" {
		t.Fatalf("no code for %s in the dev outbox", to)
	}
	return code
}
