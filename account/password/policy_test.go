package password

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// violations runs check and returns its violation codes (nil for a pass).
func violations(t *testing.T, err error) []Violation {
	t.Helper()
	if err == nil {
		return nil
	}
	var pe *PolicyError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *PolicyError", err, err)
	}
	if len(pe.Violations) == 0 {
		t.Fatalf("PolicyError without violations")
	}
	return pe.Violations
}

// vs is shorthand for a list of violations.
func vs(v ...Violation) []Violation { return v }

func TestMendixCheck(t *testing.T) {
	const ok12 = "Abcdefghi1!x" // 12 code points, every class
	tests := []struct {
		name string
		pw   string
		want []Violation
	}{
		{"12 code points", ok12, nil},
		{"11 code points", "Abcdefgh1!x", vs(TooShort)},
		{"200 code points", "Aa1!" + strings.Repeat("x", 196), nil},
		{"201 code points", "Aa1!" + strings.Repeat("x", 197), vs(TooLong)},
		{"12 with é counts 12", "Aa1!" + strings.Repeat("é", 8), nil},
		{"11 with é counts 11", "Aa1!" + strings.Repeat("é", 7), vs(TooShort)},
		{"12 with emoji counts 12", "Aa1!" + strings.Repeat("🔑", 8), nil},
		{"11 with emoji counts 11", "Aa1!" + strings.Repeat("🔑", 7), vs(TooShort)},
		{"200 emoji-heavy code points", "Aa1!" + strings.Repeat("🔑", 196), nil},
		{"201 emoji-heavy code points", "Aa1!" + strings.Repeat("🔑", 197), vs(TooLong)},
		{"combining accent is its own code point", "Aa1!" + strings.Repeat("e\u0301", 4), nil},
		{"empty reports everything", "", vs(TooShort, NoUpper, NoLower, NoDigit, NoSpecial)},
		{"short lowercase", "abc", vs(TooShort, NoUpper, NoDigit, NoSpecial)},
		{"no upper", "abcdefghi1!x", vs(NoUpper)},
		{"no lower", "ABCDEFGHI1!X", vs(NoLower)},
		{"no digit", "Abcdefghij!x", vs(NoDigit)},
		{"no special", "Abcdefghij1x", vs(NoSpecial)},
		{"space is not special", "Abcdefghij1 x", vs(NoSpecial)},
		{"pound sign is not special", "Abcdefghij1£", vs(NoSpecial)},
		{"euro sign is not special", "Abcdefghij1€", vs(NoSpecial)},
		{"section sign is not special", "Abcdefghij1§", vs(NoSpecial)},
		{"full-width ! is not special", "Abcdefghij1！", vs(NoSpecial)},
		{"tab is not special", "Abcdefghij1\t", vs(NoSpecial)},
		{"non-ASCII upper counts", "Ébcdefghi1!x", nil},
		{"non-ASCII lower counts", "ABCDEFGHI1!é", nil},
		{"non-ASCII digit counts", "Abcdefghi١!x", nil},
		{"leading and trailing spaces kept", "  Abcdefg1!  ", nil},
		{"invalid UTF-8", "Abcdefghi1!x\xff", vs(InvalidUTF8)},
		{"invalid UTF-8 and short", "A\xffb", vs(InvalidUTF8, TooShort, NoDigit, NoSpecial)},
		{"801 bytes rejected unscanned", strings.Repeat("é", 400) + "x", vs(TooLong)},
		{"huge input rejected unscanned", strings.Repeat("a", 10<<20), vs(TooLong)},
	}
	p := Mendix()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := violations(t, p.Check(tt.pw))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Mendix().Check violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMendixEachSpecial(t *testing.T) {
	if got, want := len(Specials), 32; got != want {
		t.Fatalf("len(Specials) = %d, want %d", got, want)
	}
	for _, c := range Specials {
		t.Run(string(c), func(t *testing.T) {
			pw := "Abcdefghij1" + string(c)
			if err := Mendix().Check(pw); err != nil {
				t.Errorf("Check with special %q: got %v, want nil", c, err)
			}
		})
	}
	for c := rune(0x21); c < 0x7f; c++ {
		isPunct := !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z')
		if got := strings.ContainsRune(Specials, c); got != isPunct {
			t.Errorf("%q in Specials = %v, want %v (all and only ASCII punctuation)", c, got, isPunct)
		}
	}
}

func TestMendixPreset(t *testing.T) {
	want := Policy{
		MinLength: 12, MaxLength: 200,
		RequireUpper: true, RequireLower: true, RequireDigit: true, RequireSpecial: true,
		MaxAge: 90 * 24 * time.Hour,
	}
	if diff := cmp.Diff(want, Mendix()); diff != "" {
		t.Errorf("Mendix() (-want +got):\n%s", diff)
	}
}

func TestNISTCheck(t *testing.T) {
	p := NIST()
	if p.MaxAge != 0 {
		t.Errorf("NIST().MaxAge = %v, want 0 (never expires)", p.MaxAge)
	}
	if p.MaxLength < 64 {
		t.Errorf("NIST().MaxLength = %d, want at least 64", p.MaxLength)
	}
	tests := []struct {
		name string
		pw   string
		want []Violation
	}{
		{"15 lowercase letters", "abcdefghijklmno", nil},
		{"14 code points", "abcdefghijklmn", vs(TooShort)},
		{"15 spaces", strings.Repeat(" ", 15), nil},
		{"15 emoji", strings.Repeat("🔑", 15), nil},
		{"200 code points", strings.Repeat("x", 200), nil},
		{"201 code points", strings.Repeat("x", 201), vs(TooLong)},
		{"empty", "", vs(TooShort)},
		{"common but no blocklist", "123456789987654321", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := violations(t, p.Check(tt.pw))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("NIST().Check violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestZeroPolicy(t *testing.T) {
	var p Policy
	tests := []struct {
		pw   string
		want []Violation
	}{
		{"", vs(TooShort)},
		{"a", nil},
		{strings.Repeat("a", MaxBytes), nil},
		{strings.Repeat("a", MaxBytes+1), vs(TooLong)},
	}
	for _, tt := range tests {
		got := violations(t, p.Check(tt.pw))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Policy{}.Check(%d bytes) (-want +got):\n%s", len(tt.pw), diff)
		}
	}
}

func TestRejectCommon(t *testing.T) {
	mendix, nist := Mendix(), NIST()
	mendix.RejectCommon, nist.RejectCommon = true, true
	tests := []struct {
		name string
		p    Policy
		pw   string
		want []Violation
	}{
		{"decorated common word", mendix, "Password123!", vs(Common)},
		{"decorated both ends", mendix, "!!Dragon2024!", vs(Common)},
		{"uncommon", mendix, "Tr0ub4dor&3xq", nil},
		{"listed long entry", nist, "123456789987654321", vs(Common)},
		{"listed long entry upper-cased", nist, "1QAZ2WSX3EDC4RFV", vs(Common)},
		{"short and common", nist, "password", vs(TooShort, Common)},
		{"passphrase", nist, "correct horse battery staple", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := violations(t, tt.p.Check(tt.pw))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check violations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsCommon(t *testing.T) {
	if n := CommonCount(); n < 10000 {
		t.Errorf("CommonCount() = %d, want at least 10000", n)
	}
	tests := []struct {
		pw   string
		want bool
	}{
		{"123456", true},
		{"password", true},
		{"PASSWORD", true},
		{"PassWord", true},
		{"trustno1", true},
		{"iloveyou!!", true},
		{"2024 Letmein ", true},
		{"pass word", false},
		{"", false},
		{"!!!!", false},
		{"2024", false},
		{"xq7#Lp9!vR2m", false},
		{strings.Repeat("a", MaxBytes+1), false},
	}
	for _, tt := range tests {
		if got := IsCommon(tt.pw); got != tt.want {
			t.Errorf("IsCommon(%q) = %v, want %v", tt.pw, got, tt.want)
		}
	}
}

func TestCommonListIsClean(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(commonList, "\n"), "\n")
	if len(lines) != CommonCount() {
		t.Errorf("common.txt has %d lines but %d distinct entries", len(lines), CommonCount())
	}
	for i, l := range lines {
		if l == "" || l != strings.ToLower(l) || l != strings.TrimSpace(l) {
			t.Fatalf("common.txt line %d = %q, want a non-empty, lower-case, trimmed entry", i+1, l)
		}
	}
}

func TestRejectEmailLocalPart(t *testing.T) {
	p := Mendix()
	p.RejectEmailLocalPart = true
	const pw = "Xx-Jane.Doe-2024"
	tests := []struct {
		name  string
		p     Policy
		pw    string
		email string
		want  []Violation
	}{
		{"contains local part", p, pw, "jane.doe@example.com", vs(ContainsEmail)},
		{"case-insensitive", p, pw, "JANE.DOE@Example.com", vs(ContainsEmail)},
		{"domain does not matter", p, "Example.com-2024", "jane@example.com", nil},
		{"different local part", p, pw, "john@example.com", nil},
		{"3-code-point local part counts", p, "Xx-Bob-2024!!", "bob@example.com", vs(ContainsEmail)},
		{"2-code-point local part ignored", p, "Xx-Jo-2024!!!", "jo@example.com", nil},
		{"non-ASCII local part", p, "Xx-ÉLODIE-2024", "élodie@example.fr", vs(ContainsEmail)},
		{"no @ ignored", p, pw, "jane.doe", nil},
		{"empty email ignored", p, pw, "", nil},
		{"rule off", Mendix(), pw, "jane.doe@example.com", nil},
		{"with other violations", p, "jane.doe", "jane.doe@example.com",
			vs(TooShort, NoUpper, NoDigit, ContainsEmail)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := violations(t, tt.p.CheckFor(tt.pw, tt.email))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CheckFor violations (-want +got):\n%s", diff)
			}
		})
	}
	if err := p.Check(pw); err != nil {
		t.Errorf("Check (without email) = %v, want nil", err)
	}
}

func TestPolicyErrorHidesPassword(t *testing.T) {
	p := Mendix()
	p.RejectCommon, p.RejectEmailLocalPart = true, true
	const pw = "secretpass"
	err := p.CheckFor(pw, "secretpass@example.com")
	if err == nil {
		t.Fatal("CheckFor = nil, want violations")
	}
	msg := err.Error()
	if strings.Contains(msg, pw) {
		t.Errorf("error %q contains the password", msg)
	}
	if want := "password: does not meet the policy: too_short, no_upper, no_digit, no_special"; !strings.HasPrefix(msg, want) {
		t.Errorf("error = %q, want it to start with %q", msg, want)
	}
	var pe *PolicyError
	if !errors.As(err, &pe) || !pe.Has(TooShort) || pe.Has(TooLong) {
		t.Errorf("Has: got %v, want too_short and not too_long", pe)
	}
}
