package token_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/token"
)

// TestJSON checks the JSON a host gets from the types it returns: the
// names of settingsd's answers, and never a secret or digest.
func TestJSON(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s, err := token.Generate(strings.NewReader(strings.Repeat("example randomness ", 8)), token.KindToken)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"token", token.Token{ID: "tok_1", AccountID: "acc_1", Name: "CI", Scopes: []string{"a"}, Last4: "wxyz", CreatedAt: at},
			`{"id":"tok_1","account_id":"acc_1","name":"CI","scopes":["a"],"last4":"wxyz","created_at":"2025-03-01T12:00:00Z"}`},
		{"token used and expiring", token.Token{ID: "tok_1", LastUsedAt: at, ExpiresAt: at},
			`{"id":"tok_1","account_id":"","name":"","scopes":null,"last4":"","created_at":"0001-01-01T00:00:00Z","last_used_at":"2025-03-01T12:00:00Z","expires_at":"2025-03-01T12:00:00Z"}`},
		{"api key", token.APIKey{ID: "key_1", AccountID: "acc_1", Description: "deploy", Last4: "wxyz", CreatedAt: at},
			`{"id":"key_1","account_id":"acc_1","description":"deploy","last4":"wxyz","created_at":"2025-03-01T12:00:00Z"}`},
		{"principal", token.Principal{AccountID: "acc_1", ProfileID: "prf_1", TokenID: "tok_1", Kind: token.KindToken, Scopes: []string{"a"}},
			`{"account_id":"acc_1","profile_id":"prf_1","token_id":"tok_1","kind":"token","scopes":["a"]}`},
		{"api key principal", token.Principal{Kind: token.KindAPIKey},
			`{"account_id":"","profile_id":"","token_id":"","kind":"api_key","scopes":null}`},
		{"secret", struct{ S token.Secret }{s}, `{"S":"[REDACTED]"}`},
		{"scope", token.Scope{Name: "a", Description: "A"}, `{"name":"a","description":"A"}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.v)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: Marshal = %s, %v; want %s", tt.name, got, err, tt.want)
		}
		if strings.Contains(string(got), s.Reveal()[4:]) {
			t.Errorf("%s: the JSON holds the secret", tt.name)
		}
	}
	var p token.Principal
	if err := json.Unmarshal([]byte(`{"kind":"api_key"}`), &p); err != nil || p.Kind != token.KindAPIKey {
		t.Errorf("Unmarshal kind = %v, %v; want api_key", p.Kind, err)
	}
	if err := json.Unmarshal([]byte(`{"kind":"root"}`), &p); err == nil {
		t.Error("Unmarshal accepted the kind root")
	}
}
