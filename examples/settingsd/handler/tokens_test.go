package handler_test

import (
	"slices"
	"strings"
	"testing"
)

type tokenBody struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
	Last4  string   `json:"last4"`
	Token  string   `json:"token"`
}

func TestScopesAndTokens(t *testing.T) {
	e := newEnv(t)
	var scopes []struct{ Name, Description string }
	r := e.do("GET", "/v1/scopes", nil)
	want(t, "scopes", r, 200, "")
	r.items(t, &scopes)
	if len(scopes) < 3 || !slices.ContainsFunc(scopes, func(s struct{ Name, Description string }) bool { return s.Name == "mx:app:read" }) {
		t.Errorf("scopes = %v, want the sample scopes", scopes)
	}
	u := e.signUp("ada@example.com")
	r = e.do("POST", "/v1/me/tokens", map[string]any{"name": "ci", "scopes": []string{"mx:nope"}}, u.auth()...)
	want(t, "unknown scope", r, 422, "unknown_scopes")
	want(t, "no scope", e.do("POST", "/v1/me/tokens", map[string]any{"name": "ci"}, u.auth()...), 422, "no_scope")
	want(t, "no name", e.do("POST", "/v1/me/tokens", map[string]any{"scopes": []string{"mx:app:read"}}, u.auth()...), 422, "invalid_name")

	var tok tokenBody
	r = e.do("POST", "/v1/me/tokens", map[string]any{"name": "ci", "scopes": []string{"mx:app:read"}}, u.auth()...)
	want(t, "create", r, 201, "")
	r.into(t, &tok)
	if !strings.HasPrefix(tok.Token, "mxp_") || !strings.HasSuffix(tok.Token, tok.Last4) || tok.Name != "ci" {
		t.Fatalf("created token = %+v", tok)
	}
	want(t, "same name", e.do("POST", "/v1/me/tokens", map[string]any{"name": "ci", "scopes": []string{"mx:app:read"}}, u.auth()...), 409, "name_taken")

	var list []tokenBody
	e.do("GET", "/v1/me/tokens", nil, u.auth()...).items(t, &list)
	if len(list) != 1 || list[0].ID != tok.ID || list[0].Token != "" {
		t.Errorf("tokens = %+v, want the one without its secret", list)
	}
	var got tokenBody
	r = e.do("GET", "/v1/me/tokens/"+tok.ID, nil, u.auth()...)
	want(t, "get", r, 200, "")
	r.into(t, &got)
	if got.ID != tok.ID || got.Token != "" || !slices.Equal(got.Scopes, []string{"mx:app:read"}) {
		t.Errorf("token = %+v", got)
	}
	want(t, "get unknown", e.do("GET", "/v1/me/tokens/tok_nope", nil, u.auth()...), 404, "not_found")

	// The token works on the sample API until it is deleted.
	r = e.do("GET", "/v1/api/whoami", nil, "Authorization", "mxtoken "+tok.Token)
	want(t, "whoami", r, 200, "")
	who := r.obj(t)
	if who["account_id"] != u.accountID || who["profile_id"] != u.profileID {
		t.Errorf("whoami = %v", who)
	}
	want(t, "delete", e.do("DELETE", "/v1/me/tokens/"+tok.ID, nil, u.auth()...), 204, "")
	want(t, "delete again", e.do("DELETE", "/v1/me/tokens/"+tok.ID, nil, u.auth()...), 404, "not_found")
	r = e.do("GET", "/v1/api/whoami", nil, "Authorization", "mxtoken "+tok.Token)
	if r.status != 403 || string(r.body) != `{"error":""}` {
		t.Errorf("deleted token: %d %q", r.status, r.body)
	}
}

// TestSampleAPI checks the token-protected API: one byte-identical 403
// for every refusal, the scope check, and API keys.
func TestSampleAPI(t *testing.T) {
	e := newEnv(t)
	u := e.signUp("ada@example.com")
	want(t, "watch", e.do("PUT", "/v1/me/notifications/watched-apps/app-1", map[string]string{"name": "Shop"}, u.auth()...), 204, "")
	mk := func(scope string) string {
		var tb tokenBody
		r := e.do("POST", "/v1/me/tokens", map[string]any{"name": scope, "scopes": []string{scope}}, u.auth()...)
		want(t, "create "+scope, r, 201, "")
		r.into(t, &tb)
		return tb.Token
	}
	reader, catalog := mk("mx:app:read"), mk("mx:catalog:read")

	r := e.do("GET", "/v1/api/apps", nil, "Authorization", "mxtoken "+reader)
	want(t, "apps with mx:app:read", r, 200, "")
	var apps []struct{ ID, Name string }
	r.items(t, &apps)
	if len(apps) != 1 || apps[0].ID != "app-1" || apps[0].Name != "Shop" {
		t.Errorf("apps = %+v", apps)
	}
	last := "a"
	if strings.HasSuffix(reader, "a") {
		last = "b"
	}
	badSum := reader[:len(reader)-1] + last
	refusals := map[string][]string{
		"no credential":        nil,
		"scope missing":        {"Authorization", "mxtoken " + catalog},
		"malformed token":      {"Authorization", "mxtoken nope"},
		"bad checksum":         {"Authorization", "mxtoken " + badSum},
		"wrong scheme":         {"Authorization", "Bearer " + reader},
		"session is no token":  u.auth(),
		"api key without user": {"Mendix-ApiKey", reader},
	}
	for what, hd := range refusals {
		r := e.do("GET", "/v1/api/apps", nil, hd...)
		if r.status != 403 || string(r.body) != `{"error":""}` || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %q %q, want 403 {\"error\":\"\"}", what, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	want(t, "whoami with mx:catalog:read", e.do("GET", "/v1/api/whoami", nil, "Authorization", "mxtoken "+catalog), 200, "")

	// API keys act with every privilege of the account.
	want(t, "no description", e.do("POST", "/v1/me/api-keys", map[string]string{}, u.auth()...), 422, "invalid_description")
	r = e.do("POST", "/v1/me/api-keys", map[string]string{"description": "deploy bot"}, u.auth()...)
	want(t, "api key", r, 201, "")
	key := r.obj(t)["key"].(string)
	keyID := r.obj(t)["id"].(string)
	if !strings.HasPrefix(key, "mxk_") {
		t.Fatalf("key = %q", key)
	}
	var keys []map[string]any
	e.do("GET", "/v1/me/api-keys", nil, u.auth()...).items(t, &keys)
	if len(keys) != 1 || keys[0]["id"] != keyID || keys[0]["key"] != nil {
		t.Errorf("api keys = %v", keys)
	}
	hd := []string{"Mendix-Username", "ada@example.com", "Mendix-ApiKey", key}
	r = e.do("GET", "/v1/api/whoami", nil, hd...)
	want(t, "whoami with api key", r, 200, "")
	if r.obj(t)["kind"] != "api_key" {
		t.Errorf("whoami kind = %v", r.obj(t)["kind"])
	}
	want(t, "apps with api key", e.do("GET", "/v1/api/apps", nil, hd...), 200, "")
	r = e.do("GET", "/v1/api/apps", nil, "Mendix-Username", "bob@example.com", "Mendix-ApiKey", key)
	if r.status != 403 || string(r.body) != `{"error":""}` {
		t.Errorf("api key of another user: %d %q", r.status, r.body)
	}
	want(t, "revoke", e.do("DELETE", "/v1/me/api-keys/"+keyID, nil, u.auth()...), 204, "")
	want(t, "revoke again", e.do("DELETE", "/v1/me/api-keys/"+keyID, nil, u.auth()...), 404, "not_found")
	if r := e.do("GET", "/v1/api/whoami", nil, hd...); r.status != 403 {
		t.Errorf("revoked key: status %d", r.status)
	}
}
