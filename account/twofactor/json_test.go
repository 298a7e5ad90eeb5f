package twofactor_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account/twofactor"
)

// TestJSONHidesSecrets checks a stored record never marshals its sealed
// secrets or code digest, and Status marshals with settingsd's names.
func TestJSONHidesSecrets(t *testing.T) {
	secret := []byte("sealed secret bytes")
	r := twofactor.Record{AccountID: "acc_1", Method: twofactor.MethodAuthenticator, Secret: secret, PendingSecret: secret,
		SMSCode: twofactor.SMSCode{Digest: secret}}
	got, err := json.Marshal(r)
	if err != nil || strings.Contains(string(got), base64.StdEncoding.EncodeToString(secret)) || !strings.Contains(string(got), "acc_1") {
		t.Errorf("Marshal(Record) = %s, %v; want the account and no secret or digest", got, err)
	}
	got, err = json.Marshal(twofactor.Status{Method: twofactor.MethodSMS, Phone: "+31*******78", RecoveryCodesLeft: 9, Pending: twofactor.MethodNone})
	want := `{"method":"sms","phone":"+31*******78","recovery_codes_left":9,"pending":"none"}`
	if err != nil || string(got) != want {
		t.Errorf("Marshal(Status) = %s, %v; want %s", got, err, want)
	}
}
