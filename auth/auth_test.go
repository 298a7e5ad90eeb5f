package auth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/auth"
)

func TestFresh(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		c    auth.Caller
		age  time.Duration
		want error
	}{
		{"recent password", auth.New("acc_1", auth.MethodPassword, now.Add(-59*time.Minute), ""), 0, nil},
		{"hour old", auth.New("acc_1", auth.MethodPassword, now.Add(-time.Hour), ""), 0, auth.ErrReauthenticationRequired},
		{"custom age", auth.New("acc_1", auth.MethodSSO, now.Add(-10*time.Second), ""), 5 * time.Second, auth.ErrReauthenticationRequired},
		{"never", auth.New("acc_1", auth.MethodSecondFactor, time.Time{}, ""), 0, auth.ErrReauthenticationRequired},
		{"token", auth.New("acc_1", auth.MethodToken, now, ""), 0, auth.ErrForbidden},
		{"api key", auth.New("acc_1", auth.MethodAPIKey, now, ""), 0, auth.ErrForbidden},
		{"no account", auth.New("", auth.MethodPassword, now, ""), 0, auth.ErrInvalidCaller},
		{"no method", auth.Caller{AccountID: "acc_1", AuthenticatedAt: now}, 0, auth.ErrInvalidCaller},
		{"expired password", auth.Caller{AccountID: "acc_1", Method: auth.MethodPassword, AuthenticatedAt: now, PasswordExpired: true}, 0, auth.ErrPasswordExpired},
		{"expired password, allowed", auth.Caller{AccountID: "acc_1", Method: auth.MethodPassword, AuthenticatedAt: now, PasswordExpired: true}.AllowExpired(), 0, nil},
		{"expired password, stale", auth.Caller{AccountID: "acc_1", Method: auth.MethodPassword, PasswordExpired: true}.AllowExpired(), 0, auth.ErrReauthenticationRequired},
		{"expired token", auth.Caller{AccountID: "acc_1", Method: auth.MethodToken, AuthenticatedAt: now, PasswordExpired: true}, 0, auth.ErrForbidden},
	} {
		if got := tc.c.Fresh(now, tc.age); !errors.Is(got, tc.want) || (tc.want == nil) != (got == nil) {
			t.Errorf("%s: Fresh = %v, want %v", tc.name, got, tc.want)
		}
	}
}

type owners map[string]string

func (o owners) OwnerProfile(_ context.Context, accountID string) (string, error) {
	if p, ok := o[accountID]; ok {
		return p, nil
	}
	return "", auth.ErrForbidden
}

func TestProfile(t *testing.T) {
	ctx := context.Background()
	o := owners{"acc_1": "prf_1"}
	if p, err := auth.Profile(ctx, o, auth.New("acc_1", auth.MethodPassword, time.Now(), "")); err != nil || p != "prf_1" {
		t.Errorf("Profile = %q, %v; want prf_1", p, err)
	}
	if _, err := auth.Profile(ctx, o, auth.New("acc_1", auth.MethodToken, time.Now(), "")); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("token caller: %v, want ErrForbidden", err)
	}
	if _, err := auth.Profile(ctx, o, auth.New("acc_2", auth.MethodPassword, time.Now(), "")); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("unknown account: %v, want ErrForbidden", err)
	}
}

// A sensitive operation asks for a sign-in younger than an hour; a token
// never does one.
func ExampleCaller_Fresh() {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	signedIn := auth.New("acc_1", auth.MethodPassword, now.Add(-2*time.Hour), "")
	fmt.Println(signedIn.Fresh(now, auth.DefaultFreshFor))
	fmt.Println(auth.New("acc_1", auth.MethodToken, now, "").Fresh(now, auth.DefaultFreshFor))
	// Output:
	// auth: reauthentication required
	// auth: a token does not reach the settings: auth: forbidden
}

func TestDeviceLabel(t *testing.T) {
	for ua, want := range map[string]string{
		"": "Unknown device",
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                                  "Firefox on Linux",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":                         "Chrome on Windows",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131":                 "Edge on Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1": "Safari on iPhone",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15":                      "Safari on macOS",
		"curl/8.5.0":         "curl",
		"Go-http-client/1.1": "Go HTTP client",
		"something-else/1.0": "Unknown device",
	} {
		if got := auth.DeviceLabel(ua); got != want {
			t.Errorf("DeviceLabel(%q) = %q, want %q", ua, got, want)
		}
	}
}
