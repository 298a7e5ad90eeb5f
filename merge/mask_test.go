package merge

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/profile"
)

func TestMask(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"jane@example.com", "j***@example.com"},
		{"j@example.com", "j***@example.com"},
		{"jane.doe+tag@sub.example.org", "j***@sub.example.org"},
		{"\"a@b\"@example.com", "\"***@example.com"},
		{"@example.com", "***"},
		{"no-at-sign", "***"},
		{"", "***"},
		{"élise@example.fr", "é***@example.fr"},
	} {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzMask checks that a mask never shows more of the local part than its
// first character, and is valid UTF-8 for valid input.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"jane@example.com", "a@b", "@", "", "x@y@z", "ü@ä.de", "\xff@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Mask(s)
		at := strings.LastIndexByte(s, '@')
		if at <= 0 {
			if m != "***" {
				t.Fatalf("Mask(%q) = %q, want ***", s, m)
			}
			return
		}
		local := s[:at]
		first, _ := utf8.DecodeRuneInString(local)
		if want := string(first) + "***" + s[at:]; m != want {
			t.Fatalf("Mask(%q) = %q, want %q", s, m, want)
		}
		if utf8.ValidString(s) && !utf8.ValidString(m) {
			t.Fatalf("Mask(%q) = %q is not valid UTF-8", s, m)
		}
	})
}

func TestCandidates(t *testing.T) {
	accts := []account.Account{{ID: "acc_1", Email: "one@example.com"}, {ID: "acc_2", Email: "two@example.com"}}
	for _, tt := range []struct {
		recovery string
		want     []string
	}{
		{"", []string{"one@example.com", "two@example.com"}},
		{"Rec@Example.NET", []string{"one@example.com", "two@example.com", "rec@example.net"}},
		{"two@example.com", []string{"one@example.com", "two@example.com"}},
		{"not an address", []string{"one@example.com", "two@example.com"}},
	} {
		var got []string
		for _, c := range candidates(profile.Profile{RecoveryEmail: tt.recovery}, accts) {
			got = append(got, c.Address)
			if c.Masked != Mask(c.Address) {
				t.Errorf("candidate %s masked as %q", c.Address, c.Masked)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("recovery %q: candidates %v, want %v", tt.recovery, got, tt.want)
		}
	}
}
