package merge

import (
	"strings"
	"testing"
	"unicode/utf8"
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

func TestChoices(t *testing.T) {
	for _, tt := range []struct {
		typed, accountID, recovery string
		wantRecovery               string
	}{
		{"one@example.com", "acc_1", "", ""},
		{"one@example.com", "acc_1", "Rec@Example.NET", "rec@example.net"},
		{"one@example.com", "acc_1", "not an address", ""},
		{"nobody@example.com", "", "", ""},
	} {
		got := choices(tt.typed, tt.accountID, tt.recovery)
		want := []Candidate{
			{Address: tt.typed, Masked: Mask(tt.typed), AccountID: tt.accountID},
			{Address: tt.wantRecovery, Masked: RecoveryLabel},
		}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("choices(%q, %q, %q) = %+v, want %+v", tt.typed, tt.accountID, tt.recovery, got, want)
		}
	}
}

func TestStandIn(t *testing.T) {
	a, b := standIn("Ada@Example.com"), standIn("ada@example.com")
	if a != b || strings.Contains(a, "ada") || strings.Contains(a, "@") {
		t.Errorf("standIn = %q, %q; want one value per address that holds no address", a, b)
	}
	if standIn("bob@example.com") == a {
		t.Errorf("two addresses share a stand-in")
	}
}
