package twofactor

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// RecoveryCodeCount is how many recovery codes an enrolment issues.
const RecoveryCodeCount = 10

const (
	otpDigits      = 6
	recoveryLen    = 10 // base32 characters: 50 bits
	recoveryAlpha  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	phoneMinDigits = 7
	phoneMaxDigits = 15
)

// ValidatePhone reports whether phone is an E.164 number: "+" followed by
// 7 to 15 digits, the first of them not 0. It returns ErrInvalidPhone
// otherwise. It does not rewrite the number; spaces are not allowed.
func ValidatePhone(phone string) error {
	digits, ok := strings.CutPrefix(phone, "+")
	if !ok || len(digits) < phoneMinDigits || len(digits) > phoneMaxDigits || digits[0] == '0' {
		return ErrInvalidPhone
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return ErrInvalidPhone
		}
	}
	return nil
}

// MaskPhone hides all but the "+", the first two and the last two digits
// of a phone number, for display: "+31612345678" becomes "+31*******78".
// A number too short to mask is hidden completely.
func MaskPhone(phone string) string {
	digits := strings.TrimPrefix(phone, "+")
	if len(digits) < 6 {
		return strings.Repeat("*", len(phone))
	}
	return "+" + digits[:2] + strings.Repeat("*", len(digits)-4) + digits[len(digits)-2:]
}

// codeKind says what a code entered by a person looks like.
type codeKind int

const (
	kindInvalid  codeKind = iota
	kindOTP               // six digits: TOTP or SMS
	kindRecovery          // ten base32 characters
)

// normalizeCode removes spaces and hyphens, upper-cases the code and
// classifies it.
func normalizeCode(code string) (string, codeKind) {
	if len(code) > 64 {
		return "", kindInvalid
	}
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(code))
	switch {
	case len(c) == otpDigits && allIn(c, "0123456789"):
		return c, kindOTP
	case len(c) == recoveryLen && allIn(c, recoveryAlpha):
		return c, kindRecovery
	}
	return "", kindInvalid
}

func allIn(s, alphabet string) bool {
	for _, r := range s {
		if !strings.ContainsRune(alphabet, r) {
			return false
		}
	}
	return true
}

// newRecoveryCode returns a recovery code of 50 random bits, as two groups
// of five base32 characters ("ABCDE-FGH23").
func newRecoveryCode(rand io.Reader) (string, error) {
	var b [recoveryLen]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", fmt.Errorf("twofactor: reading randomness: %w", err)
	}
	var sb strings.Builder
	for i, x := range b {
		if i == recoveryLen/2 {
			sb.WriteByte('-')
		}
		sb.WriteByte(recoveryAlpha[x&31]) // 256 is a multiple of 32: uniform
	}
	return sb.String(), nil
}

// newRecoveryCodes returns RecoveryCodeCount distinct recovery codes.
func newRecoveryCodes(rand io.Reader) ([]string, error) {
	seen := map[string]bool{}
	codes := make([]string, 0, RecoveryCodeCount)
	for len(codes) < RecoveryCodeCount {
		c, err := newRecoveryCode(rand)
		if err != nil {
			return nil, err
		}
		if !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	return codes, nil
}

// newOTP returns six uniformly random decimal digits.
func newOTP(rand io.Reader) (string, error) {
	const limit = 4294 * 1000000 // largest multiple of 10^6 below 2^32
	var b [4]byte
	for {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return "", fmt.Errorf("twofactor: reading randomness: %w", err)
		}
		if n := binary.BigEndian.Uint32(b[:]); n < limit {
			return fmt.Sprintf("%06d", n%1000000), nil
		}
	}
}
