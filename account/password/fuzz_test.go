package password

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// referenceViolations is a deliberately plain re-statement of the Mendix
// rules (plus the optional ones), to compare Check against.
func referenceViolations(pw, email string) []Violation {
	if len(pw) > 200*4 {
		return []Violation{TooLong}
	}
	var out []Violation
	if !utf8.ValidString(pw) {
		out = append(out, InvalidUTF8)
	}
	runes := []rune(pw)
	var upper, lower, digit, special bool
	for _, r := range runes {
		switch {
		case strings.ContainsRune(Specials, r):
			special = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	checks := []struct {
		broken bool
		v      Violation
	}{
		{len(runes) < 12, TooShort},
		{len(runes) > 200, TooLong},
		{!upper, NoUpper},
		{!lower, NoLower},
		{!digit, NoDigit},
		{!special, NoSpecial},
		{IsCommon(pw), Common},
		{referenceContainsLocal(pw, email), ContainsEmail},
	}
	for _, c := range checks {
		if c.broken {
			out = append(out, c.v)
		}
	}
	return out
}

// referenceContainsLocal is the email rule written out plainly.
func referenceContainsLocal(pw, email string) bool {
	i := strings.LastIndex(email, "@")
	if i < 0 || len([]rune(email[:i])) < 3 {
		return false
	}
	return strings.Contains(strings.ToLower(pw), strings.ToLower(email[:i]))
}

func FuzzCheck(f *testing.F) {
	seeds := []struct{ pw, email string }{
		{"", ""},
		{"Abcdefghi1!x", "jane@example.com"},
		{"Abcdefgh1!x", ""},
		{"Aa1!" + strings.Repeat("🔑", 196), ""},
		{"Aa1!" + strings.Repeat("🔑", 197), ""},
		{"Password123!", "x@y.z"},
		{"Xx-Jane.Doe-2024", "JANE.DOE@example.com"},
		{"Abcdefghij1£", ""},
		{"Abcdefghij1 ", ""},
		{"Abcdefghij1`", ""},
		{"Abcdefghij1\\", ""},
		{"Abcdefghij1'", ""},
		{"Abcdefghij1\"", ""},
		{"A\xffb\xc3", "\xff\xfe@x"},
		{"e\u0301E\u03011!aaaaaaaa", "e\u0301e@x"},
		{strings.Repeat("x", 801), ""},
	}
	for _, s := range seeds {
		f.Add(s.pw, s.email)
	}
	p := Mendix()
	p.RejectCommon, p.RejectEmailLocalPart = true, true
	f.Fuzz(func(t *testing.T, pw, email string) {
		err := p.CheckFor(pw, email)
		var got []Violation
		if err != nil {
			var pe *PolicyError
			if !errors.As(err, &pe) || len(pe.Violations) == 0 {
				t.Fatalf("CheckFor error %v, want a *PolicyError with violations", err)
			}
			got = pe.Violations
		}
		if diff := cmp.Diff(referenceViolations(pw, email), got); diff != "" {
			t.Fatalf("CheckFor(%q, %q) differs from the reference (-want +got):\n%s", pw, email, diff)
		}
		nist := NIST().Check(pw)
		n := utf8.RuneCountInString(pw)
		if wantOK := n >= 15 && n <= 200 && utf8.ValidString(pw); (nist == nil) != wantOK {
			t.Fatalf("NIST().Check(%q) = %v, want ok=%v", pw, nist, wantOK)
		}
	})
}

func FuzzParsePHC(f *testing.F) {
	salt, key := b64s(16), b64s(32)
	for _, s := range []string{
		"",
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=64,t=1,p=256$" + salt + "$" + key,
		"$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=064,t=1,p=1$" + salt + "==$" + key,
		"$2b$10$abcdefghijklmnopqrstuu",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parsePHC(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) && !errors.Is(err, ErrUnsupportedHash) && !errors.Is(err, ErrHashParams) {
				t.Fatalf("parsePHC error %v is none of the documented ones", err)
			}
			return
		}
		if verr := h.params.validate(); verr != nil {
			t.Fatalf("parsePHC accepted out-of-bounds params: %v", verr)
		}
		if got := h.String(); got != s {
			t.Fatalf("parsePHC(%q) re-encodes as %q; want the canonical input back", s, got)
		}
	})
}
