package account_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
)

// TestJSONHidesPasswordHash checks an Account never marshals its
// password hash, and an AccountView marshals with settingsd's names.
func TestJSONHidesPasswordHash(t *testing.T) {
	got, err := json.Marshal(account.Account{ID: "acc_1", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"})
	if err != nil || strings.Contains(string(got), "argon2id") || !strings.Contains(string(got), `"acc_1"`) {
		t.Errorf("Marshal(Account) = %s, %v; want the id and no hash", got, err)
	}
	got, err = json.Marshal(account.AccountView{ID: "acc_1", Email: "ada@example.com", Status: account.StatusActive, SignedIn: true})
	want := `{"id":"acc_1","email":"ada@example.com","company":"","sso":false,"status":"active","created_at":"0001-01-01T00:00:00Z","signed_in":true}`
	if err != nil || string(got) != want {
		t.Errorf("Marshal(AccountView) = %s, %v; want %s", got, err, want)
	}
}
