package twofactor

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func TestValidatePhone(t *testing.T) {
	tests := []struct {
		phone string
		ok    bool
	}{
		{"+31612345678", true},
		{"+14155550123", true},
		{"+1234567", true},         // 7 digits
		{"+123456789012345", true}, // 15 digits
		{"+123456", false},         // 6 digits
		{"+1234567890123456", false},
		{"0612345678", false},
		{"+0612345678", false},
		{"+31 612345678", false},
		{"+31-612345678", false},
		{"++31612345678", false},
		{"+3161234567a", false},
		{"+٣١٦١٢٣٤٥٦٧٨", false}, // non-ASCII digits
		{"", false},
		{"+", false},
	}
	for _, tt := range tests {
		err := ValidatePhone(tt.phone)
		if got := err == nil; got != tt.ok {
			t.Errorf("ValidatePhone(%q): got %v, want ok=%v", tt.phone, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidPhone) {
			t.Errorf("ValidatePhone(%q): got %v, want ErrInvalidPhone", tt.phone, err)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ phone, want string }{
		{"+31612345678", "+31*******78"},
		{"+1234567", "+12***67"},
		{"+12345", "******"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.phone); got != tt.want {
			t.Errorf("MaskPhone(%q): got %q, want %q", tt.phone, got, tt.want)
		}
	}
}

func TestNormalizeCode(t *testing.T) {
	tests := []struct {
		in   string
		want string
		kind codeKind
	}{
		{"123456", "123456", kindOTP},
		{" 123 456 ", "123456", kindOTP},
		{"123-456", "123456", kindOTP},
		{"abcde-fgh23", "ABCDEFGH23", kindRecovery},
		{"ABCDE FGH23", "ABCDEFGH23", kindRecovery},
		{"ABCDEFGH23", "ABCDEFGH23", kindRecovery},
		{"ABCDE-FGH21", "", kindInvalid}, // 1 is not base32
		{"12345", "", kindInvalid},
		{"1234567", "", kindInvalid},
		{"12345a", "", kindInvalid},
		{"", "", kindInvalid},
		{strings.Repeat("1", 65), "", kindInvalid},
	}
	for _, tt := range tests {
		got, kind := normalizeCode(tt.in)
		if got != tt.want || kind != tt.kind {
			t.Errorf("normalizeCode(%q): got %q, %d; want %q, %d", tt.in, got, kind, tt.want, tt.kind)
		}
	}
}

func TestNewCodes(t *testing.T) {
	codes, err := newRecoveryCodes(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		if n, kind := normalizeCode(c); kind != kindRecovery || len(n) != recoveryLen {
			t.Errorf("recovery code %q does not normalise to a recovery code", c)
		}
	}
	// A reader that repeats itself forces the retry for distinct codes.
	calls := 0
	r := readerFunc(func(p []byte) (int, error) {
		calls++
		for i := range p {
			p[i] = byte(calls / 2)
		}
		return len(p), nil
	})
	if codes, err = newRecoveryCodes(r); err != nil || len(codes) != RecoveryCodeCount {
		t.Errorf("newRecoveryCodes with repeats: got %d codes, %v", len(codes), err)
	}
	// 0xFFFFFFFF is rejected (above the uniform limit); then 0 gives "000000".
	src := bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	if got, err := newOTP(src); got != "000000" || err != nil {
		t.Errorf("newOTP: got %q, %v; want 000000", got, err)
	}
	if _, err := newOTP(bytes.NewReader(nil)); err == nil {
		t.Errorf("newOTP with no randomness: got nil error")
	}
}

type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func FuzzValidatePhone(f *testing.F) {
	for _, s := range []string{"+31612345678", "0612345678", "+", "", "+٣١٦", "+123456789012345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, phone string) {
		masked := MaskPhone(phone)
		if len(masked) != len(phone) && ValidatePhone(phone) == nil {
			t.Errorf("MaskPhone(%q) = %q changes the length", phone, masked)
		}
		if ValidatePhone(phone) == nil && strings.Count(masked, "*") < len(phone)-5 {
			t.Errorf("MaskPhone(%q) = %q shows more than four digits", phone, masked)
		}
	})
}

func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"123456", "abcde-fgh23", " 1 2 3 4 5 6 ", "", "ǅ", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, kind := normalizeCode(in)
		switch kind {
		case kindOTP:
			if len(got) != otpDigits || strings.Trim(got, "0123456789") != "" {
				t.Errorf("normalizeCode(%q) = %q, kindOTP", in, got)
			}
		case kindRecovery:
			if len(got) != recoveryLen || strings.Trim(got, recoveryAlpha) != "" {
				t.Errorf("normalizeCode(%q) = %q, kindRecovery", in, got)
			}
		default:
			if got != "" {
				t.Errorf("normalizeCode(%q) = %q, kindInvalid with a code", in, got)
			}
		}
		if again, k := normalizeCode(got); kind != kindInvalid && (again != got || k != kind) {
			t.Errorf("normalizeCode is not idempotent on %q", got)
		}
	})
}
