package usersettingstest_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// The extractor finds the code in the mails notify writes, and nothing
// in text that only holds six digits inside a line.
func TestFindMailCode(t *testing.T) {
	for _, purpose := range []string{"signup", "add_account", "password_reset", "merge"} {
		m, err := notify.CodeNote("ada@example.com", purpose, "042917", 10*time.Minute, "for accounts 123456 and 654321")
		if err != nil {
			t.Fatalf("CodeNote(%s): %v", purpose, err)
		}
		if got, ok := usersettingstest.FindMailCode(m.Body); !ok || got != "042917" {
			t.Errorf("FindMailCode(%s mail) = %q, %v; want 042917, true", purpose, got, ok)
		}
	}
	for _, body := range []string{"", "Your order 123456 has shipped.", "    12345\n", "    1234567\n"} {
		if got, ok := usersettingstest.FindMailCode(body); ok {
			t.Errorf("FindMailCode(%q) = %q, true; want none", body, got)
		}
	}
}

// recorder is a testing.TB that records a failure reported with Errorf
// (what WantErr calls) instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }

func TestWantErr(t *testing.T) {
	errA := errors.New("a")
	tests := []struct {
		got, want error
		wantFail  bool
	}{
		{nil, nil, false},
		{errA, errA, false},
		{fmt.Errorf("wrapped: %w", errA), errA, false},
		{errA, nil, true},
		{nil, errA, true},
		{errors.New("b"), errA, true},
	}
	for _, tt := range tests {
		r := &recorder{TB: t}
		usersettingstest.WantErr(r, "call", tt.got, tt.want)
		if r.failed != tt.wantFail {
			t.Errorf("WantErr(%v, %v) failed = %v, want %v", tt.got, tt.want, r.failed, tt.wantFail)
		}
	}
}

// The key extractor finds the key alone on its line or in a link, and
// nothing in a mail without one.
func TestFindMailKey(t *testing.T) {
	const key = "ethnx-ddype-qvbvk-7jzrf-dik32-i"
	for _, m := range []notify.CodeMail{
		{Key: key},
		{Key: key, Link: "https://settings.example/reset?key=" + key},
	} {
		m.To, m.Purpose, m.Code, m.TTL = "ada@example.com", "password_reset", "042917", 10*time.Minute
		msg, err := m.Message()
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := usersettingstest.FindMailKey(msg.Body); !ok || got != key {
			t.Errorf("FindMailKey(%+v) = %q, %v; want the key", m, got, ok)
		}
	}
	msg, _ := notify.CodeNote("ada@example.com", "signup", "042917", 10*time.Minute, "")
	if got, ok := usersettingstest.FindMailKey(msg.Body); ok {
		t.Errorf("FindMailKey(sign-up mail) = %q, want none", got)
	}
}
