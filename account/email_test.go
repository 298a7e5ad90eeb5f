package account_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/account"
)

var emailCases = []struct {
	in, want string // want "" means ErrInvalidEmail
}{
	{"ada@example.com", "ada@example.com"},
	{"Ada.Lovelace@Example.COM", "ada.lovelace@example.com"},
	{" ada@example.com\n", "ada@example.com"},
	{"\tada@example.com ", "ada@example.com"},
	{"ada+tag@example.co.uk", "ada+tag@example.co.uk"},
	{"!#$%&'*+/=?^_`{|}~-@example.com", "!#$%&'*+/=?^_`{|}~-@example.com"},
	{"ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example"},
	{"ada@sub-domain.example.com", "ada@sub-domain.example.com"},
	{strings.Repeat("a", 64) + "@example.com", strings.Repeat("a", 64) + "@example.com"},
	{strings.Repeat("a", 65) + "@example.com", ""},
	{"a@" + strings.Repeat(strings.Repeat("b", 63)+".", 3) + strings.Repeat("c", 61), ""}, // 255 bytes
	{"a@" + strings.Repeat(strings.Repeat("b", 63)+".", 3) + strings.Repeat("c", 60), "a@" + strings.Repeat(strings.Repeat("b", 63)+".", 3) + strings.Repeat("c", 60)}, // 254 bytes
	{"a@" + strings.Repeat("b", 64) + ".com", ""}, // label too long
	{"", ""},
	{"   ", ""},
	{"ada", ""},
	{"ada@", ""},
	{"@example.com", ""},
	{"ada@example", ""},
	{"ada@@example.com", ""},
	{"ada@example..com", ""},
	{"ada@example.com.", ""},
	{"ada@-example.com", ""},
	{"ada@example-.com", ""},
	{"ada@exa_mple.com", ""},
	{"ada@[192.0.2.1]", ""},
	{"ada.@example.com", ""},
	{".ada@example.com", ""},
	{"ad..a@example.com", ""},
	{`"ada"@example.com`, ""},
	{`"a d a"@example.com`, ""},
	{"Ada <ada@example.com>", ""},
	{"<ada@example.com>", ""},
	{"ada@example.com, bob@example.com", ""},
	{"ada(comment)@example.com", ""},
	{"ada@example.com (Ada)", ""},
	{"ada @example.com", ""},
	{"ada@exam ple.com", ""},
	{"ada@bücher.example", ""},
	{"adä@example.com", ""},
	{"ada@example.com\r\nBcc: eve@example.com", ""},
	{"ada\x00@example.com", ""},
	{"=?utf-8?q?ada?= <ada@example.com>", ""},
}

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range emailCases {
		got, err := account.NormalizeEmail(tc.in)
		if tc.want == "" {
			if !errors.Is(err, account.ErrInvalidEmail) {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want ErrInvalidEmail", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, nil", tc.in, got, err, tc.want)
		}
	}
}

// FuzzNormalizeEmail checks that NormalizeEmail never panics, that what it
// accepts is a fixed point (normalising twice equals once), and that the
// result is within the limits it documents.
func FuzzNormalizeEmail(f *testing.F) {
	for _, tc := range emailCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := account.NormalizeEmail(s)
		if err != nil {
			if !errors.Is(err, account.ErrInvalidEmail) || got != "" {
				t.Fatalf("NormalizeEmail(%q) = %q, %v", s, got, err)
			}
			return
		}
		again, err := account.NormalizeEmail(got)
		if err != nil || again != got {
			t.Fatalf("NormalizeEmail(%q) = %q, but normalising that gives %q, %v", s, got, again, err)
		}
		if got != strings.ToLower(got) || len(got) > account.MaxEmailLen || strings.Count(got, "@") != 1 {
			t.Fatalf("NormalizeEmail(%q) = %q breaks the documented form", s, got)
		}
		if local := got[:strings.IndexByte(got, '@')]; len(local) > account.MaxLocalPartLen || local == "" {
			t.Fatalf("NormalizeEmail(%q) = %q has a bad local part", s, got)
		}
	})
}
