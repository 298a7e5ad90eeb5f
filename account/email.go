package account

import (
	"net/mail"
	"strings"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// ErrInvalidEmail is returned for an address NormalizeEmail does not
// accept.
var ErrInvalidEmail = errs.New(errs.Invalid, "invalid_email", "account: invalid email address")

// Length limits of an address (RFC 5321 with the 254-octet path limit).
const (
	MaxEmailLen     = 254
	MaxLocalPartLen = 64
	maxLabelLen     = 63
)

// NormalizeEmail returns the canonical form of a login address, or
// ErrInvalidEmail. It is a pure function.
//
// The input is trimmed of surrounding white space and must then be one
// bare address (local@domain) as net/mail parses it: no display name, no
// angle brackets, no comments, no quoted local part, no list. The whole
// address is lower-cased. RFC 5321 allows a case-sensitive local part,
// but no common provider uses one, and treating Ada@x.com and ada@x.com
// as two accounts would let one person's mail reach another's account;
// the store compares emails case-insensitively for the same reason.
//
// The address must be ASCII. Internationalised domain names are accepted
// in their ASCII (xn--) form and left as they are, never converted; the
// domain must be at least two dot-separated labels of letters, digits and
// hyphens (no IP literals). The address may be at most 254 bytes, its
// local part at most 64.
//
// Normalising a normalised address returns it unchanged.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxEmailLen || !isASCIIPrintable(s) {
		return "", ErrInvalidEmail
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", ErrInvalidEmail
	}
	s = strings.ToLower(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at > MaxLocalPartLen || !validDomain(s[at+1:]) {
		return "", ErrInvalidEmail
	}
	return s, nil
}

// isASCIIPrintable reports whether s holds only printable ASCII without
// spaces.
func isASCIIPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// validDomain reports whether d (lower case) is a host name of at least
// two labels, each 1–63 letters, digits or hyphens, not starting or ending
// with a hyphen.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabelLen || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}
