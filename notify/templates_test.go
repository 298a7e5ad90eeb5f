package notify_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
	"golang.org/x/text/language"
)

func TestCodeMessage(t *testing.T) {
	tests := []struct {
		purpose, subject, action string
	}{
		{"signup", "Confirm your email address", "finish creating your account"},
		{"add_account", "Confirm the account you are adding", "add this email address as a login account"},
		{"password_reset", "Reset your password", "choose a new password"},
		{"merge", "Confirm merging your profiles", "merge two profiles"},
	}
	for _, tt := range tests {
		t.Run(tt.purpose, func(t *testing.T) {
			m, err := notify.CodeMessage("ann@example.com", tt.purpose, "042137", 10*time.Minute)
			if err != nil {
				t.Fatalf("CodeMessage: %v", err)
			}
			if m.To != "ann@example.com" || m.Subject != tt.subject {
				t.Errorf("To, Subject = %q, %q; want ann@example.com, %q", m.To, m.Subject, tt.subject)
			}
			if strings.Contains(m.Subject, "042137") {
				t.Errorf("Subject %q holds the code", m.Subject)
			}
			for _, want := range []string{"042137", tt.action, "expires in 10 minutes", "did not request", "ignore this email"} {
				if !strings.Contains(m.Body, want) {
					t.Errorf("Body lacks %q:\n%s", want, m.Body)
				}
			}
		})
	}
}

func TestCodeMessageErrors(t *testing.T) {
	tests := []struct {
		name, to, purpose, code string
		ttl                     time.Duration
		want                    error
	}{
		{"unknown purpose", "ann@example.com", "login", "123456", time.Minute, notify.ErrUnknownPurpose},
		{"empty code", "ann@example.com", "signup", "", time.Minute, notify.ErrInvalidCodeMessage},
		{"code with newline", "ann@example.com", "signup", "12\n34", time.Minute, notify.ErrInvalidCodeMessage},
		{"code with space", "ann@example.com", "signup", "12 34", time.Minute, notify.ErrInvalidCodeMessage},
		{"long code", "ann@example.com", "signup", strings.Repeat("1", 65), time.Minute, notify.ErrInvalidCodeMessage},
		{"zero ttl", "ann@example.com", "signup", "123456", 0, notify.ErrInvalidCodeMessage},
		{"bad address", "ann", "signup", "123456", time.Minute, notify.ErrInvalidAddress},
		{"injected address", "ann@example.com\r\nBcc: x@example.com", "signup", "123456", time.Minute, notify.ErrHeaderInjection},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := notify.CodeMessage(tt.to, tt.purpose, tt.code, tt.ttl); !errors.Is(err, tt.want) {
				t.Errorf("CodeMessage = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCodeMessageTTL(t *testing.T) {
	tests := []struct {
		ttl  time.Duration
		want string
	}{
		{time.Second, "1 second"},
		{90 * time.Second, "90 seconds"},
		{time.Minute, "1 minute"},
		{10 * time.Minute, "10 minutes"},
		{10*time.Minute + 30*time.Second, "10 minutes"},
		{time.Hour, "1 hour"},
		{90 * time.Minute, "90 minutes"},
		{48 * time.Hour, "48 hours"},
		{time.Millisecond, "1 second"},
	}
	for _, tt := range tests {
		m, err := notify.CodeMessage("ann@example.com", "signup", "123456", tt.ttl)
		if err != nil {
			t.Fatalf("CodeMessage(%v): %v", tt.ttl, err)
		}
		if want := "expires in " + tt.want + " "; !strings.Contains(m.Body, want) {
			t.Errorf("ttl %v: body lacks %q:\n%s", tt.ttl, want, m.Body)
		}
	}
}

func TestNoticeMessage(t *testing.T) {
	at := time.Date(2024, 3, 4, 6, 6, 7, 0, time.FixedZone("CET", 3600))
	kinds := map[notify.NoticeKind]string{
		notify.NoticePasswordChanged:   "password",
		notify.NoticeTokenCreated:      "personal access token",
		notify.NoticeAPIKeyCreated:     "API key",
		notify.NoticeTwoFactorDisabled: "Two-factor authentication",
		notify.NoticeMergeCompleted:    "merged",
		notify.NoticeAccountAdded:      "added",
		notify.NoticeAccountDeleted:    "deleted",
	}
	for kind, word := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			m, err := notify.NoticeMessage("ann@example.com", notify.Notice{Kind: kind, Detail: "ci deploy", At: at})
			if err != nil {
				t.Fatalf("NoticeMessage: %v", err)
			}
			if !strings.Contains(m.Subject, word) {
				t.Errorf("Subject %q lacks %q", m.Subject, word)
			}
			for _, want := range []string{word, ": ci deploy.", "Monday 4 March 2024, 05:06 UTC", "cannot\nbe switched off", "If it was not you"} {
				if !strings.Contains(m.Body, want) {
					t.Errorf("Body lacks %q:\n%s", want, m.Body)
				}
			}
		})
	}
}

func TestNoticeMessageDetail(t *testing.T) {
	m, err := notify.NoticeMessage("ann@example.com", notify.Notice{Kind: notify.NoticeTokenCreated})
	if err != nil {
		t.Fatalf("NoticeMessage: %v", err)
	}
	if strings.Contains(m.Body, "When:") || !strings.Contains(m.Body, "for your account.\n") {
		t.Errorf("notice without detail and time:\n%s", m.Body)
	}
	long := "a\r\nb\x00" + strings.Repeat("é", 300)
	m, err = notify.NoticeMessage("ann@example.com", notify.Notice{Kind: notify.NoticeTokenCreated, Detail: long})
	if err != nil {
		t.Fatalf("NoticeMessage: %v", err)
	}
	if !strings.Contains(m.Body, ": a  b "+strings.Repeat("é", 194)+"….") {
		t.Errorf("detail not cleaned and cut:\n%s", m.Body)
	}
	if _, err := notify.NoticeMessage("ann@example.com", notify.Notice{Kind: "bogus"}); !errors.Is(err, notify.ErrUnknownNotice) {
		t.Errorf("unknown kind: got %v, want ErrUnknownNotice", err)
	}
	if _, err := notify.NoticeMessage("a\nb", notify.Notice{Kind: notify.NoticeTokenCreated}); !errors.Is(err, notify.ErrHeaderInjection) {
		t.Errorf("injected address: got %v, want ErrHeaderInjection", err)
	}
}

func TestNoticeMessageItems(t *testing.T) {
	items := []string{`personal access token "ci deploy"`, "API key \"build\r\nserver\"", ""}
	m, err := notify.NoticeMessage("ann@example.com", notify.Notice{Kind: notify.NoticePasswordReset, Items: items})
	if err != nil {
		t.Fatalf("NoticeMessage: %v", err)
	}
	if m.Subject != "Your password was reset" {
		t.Errorf("Subject = %q", m.Subject)
	}
	want := "was revoked.\n\n- personal access token \"ci deploy\"\n- API key \"build  server\"\n\nIf this was you"
	if !strings.Contains(m.Body, want) {
		t.Errorf("Body lacks %q:\n%s", want, m.Body)
	}
	many := make([]string, 30)
	for i := range many {
		many[i] = fmt.Sprint("token ", i)
	}
	m, err = notify.NoticeMessage("ann@example.com", notify.Notice{Kind: notify.NoticePasswordReset, Items: many})
	if err != nil {
		t.Fatalf("NoticeMessage: %v", err)
	}
	if got := strings.Count(m.Body, "\n- "); got != 20 || !strings.Contains(m.Body, "- and 11 more\n") {
		t.Errorf("30 items: %d lines, body:\n%s", got, m.Body)
	}
}

// The password-expiry warning says when, and how to change the password,
// without the security advice of a change.
func TestPasswordExpiringNotice(t *testing.T) {
	at := time.Date(2030, 7, 16, 9, 10, 0, 0, time.UTC)
	for left, want := range map[time.Duration]string{
		14 * 24 * time.Hour:        "in 14 days, on Tuesday 16 July 2030, 09:10 UTC",
		3*24*time.Hour - time.Hour: "in 3 days, on Tuesday 16 July 2030, 09:10 UTC",
		time.Hour:                  "in 1 day, on Tuesday 16 July 2030, 09:10 UTC",
	} {
		m, err := notify.NoticeMessage("ann@example.com", notify.Notice{Kind: notify.NoticePasswordExpiring, Expires: at, Left: left})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Body, "expires soon: "+want+".") {
			t.Errorf("left %v: body lacks %q:\n%s", left, want, m.Body)
		}
	}
	m, err := notify.NoticeMessage("ann@example.com", notify.Notice{Kind: notify.NoticePasswordExpiring, Expires: at, Left: 14 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Your password expires soon" {
		t.Errorf("Subject = %q", m.Subject)
	}
	for _, want := range []string{"expires soon: in 14 days, on Tuesday 16 July 2030, 09:10 UTC.", "choose a new password on the Accounts page"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("Body lacks %q:\n%s", want, m.Body)
		}
	}
	if strings.Contains(m.Body, "If it was not you") {
		t.Errorf("Body has the advice of a change:\n%s", m.Body)
	}
}

// The second factor a notice says was turned off is named in words, in
// the mail's language, not by its method's identifier.
func TestNoticeNamesTheSecondFactor(t *testing.T) {
	for _, tt := range []struct {
		method string
		lang   language.Tag
		want   string
	}{
		{"authenticator", language.English, "turned off for your account: authenticator app."},
		{"sms", language.English, "turned off for your account: text messages (SMS)."},
		{"authenticator", language.Dutch, "uitgezet voor je account: authenticator-app."},
		{"sms", language.Dutch, "uitgezet voor je account: sms-berichten."},
	} {
		m, err := notify.NoticeMessage("ann@example.com", notify.Notice{Kind: notify.NoticeTwoFactorDisabled, Detail: tt.method, Language: tt.lang})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Body, tt.want) {
			t.Errorf("%s in %v: body lacks %q:\n%s", tt.method, tt.lang, tt.want, m.Body)
		}
	}
}
