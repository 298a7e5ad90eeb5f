package password

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// MaxBytes is the absolute upper bound, in bytes, on any password this
// package looks at. [Policy.Check] reports longer input as [TooLong] without
// scanning it, and [Hasher] refuses to hash it. It is four bytes (the longest
// UTF-8 encoding) for each of the 200 code points the [Mendix] preset allows,
// plus room to spare, so it never rejects a password a preset accepts.
const MaxBytes = 1024

// Specials lists exactly the characters that count as special for
// [Policy.RequireSpecial]: the 32 ASCII punctuation characters. A space, a
// letter outside ASCII or a symbol such as £ is not special.
const Specials = "`~!@#$%^&*()-_+=[]{};:'\"\\|,.<>/?"

// Violation is the code of one broken rule, as reported in [PolicyError].
// Codes are stable strings a host can map to its own messages.
type Violation string

// The violation codes, in the order [Policy.Check] reports them.
const (
	// InvalidUTF8 means the password is not valid UTF-8. Such input is
	// rejected, never repaired: repairing it would change the password.
	InvalidUTF8 Violation = "invalid_utf8"
	// TooShort means fewer code points than Policy.MinLength.
	TooShort Violation = "too_short"
	// TooLong means more code points than Policy.MaxLength, or more than
	// MaxBytes bytes.
	TooLong Violation = "too_long"
	// NoUpper means no uppercase letter although one is required.
	NoUpper Violation = "no_upper"
	// NoLower means no lowercase letter although one is required.
	NoLower Violation = "no_lower"
	// NoDigit means no digit although one is required.
	NoDigit Violation = "no_digit"
	// NoSpecial means no character of Specials although one is required.
	NoSpecial Violation = "no_special"
	// Common means the password is on the embedded list of common passwords.
	Common Violation = "common"
	// ContainsEmail means the password contains the local part of the
	// account's email address.
	ContainsEmail Violation = "contains_email"
)

// ErrPolicy is wrapped by every *PolicyError: a password against the
// policy.
var ErrPolicy = errs.New(errs.Invalid, "password_policy", "password: does not meet the policy")

// PolicyError is the error [Policy.Check] returns for a password that breaks
// one or more rules. It lists every broken rule at once, never just the
// first, and never contains the password itself.
type PolicyError struct {
	// Violations lists the broken rules in the order of the constants above.
	Violations []Violation
}

// Error lists the violation codes, for logs; show users a message per code.
func (e *PolicyError) Error() string {
	codes := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		codes[i] = string(v)
	}
	return "password: does not meet the policy: " + strings.Join(codes, ", ")
}

// Unwrap returns ErrPolicy.
func (e *PolicyError) Unwrap() error { return ErrPolicy }

// Details returns the violation codes as "violations".
func (e *PolicyError) Details() map[string]any {
	v := make([]string, len(e.Violations))
	for i, x := range e.Violations {
		v[i] = string(x)
	}
	return map[string]any{"violations": v}
}

// Has reports whether v is among the violations.
func (e *PolicyError) Has(v Violation) bool {
	for _, got := range e.Violations {
		if got == v {
			return true
		}
	}
	return false
}

// Policy is a set of password rules. Start from a preset ([Mendix] or
// [NIST]) and change fields as the host needs; the zero Policy only rejects
// the empty password and input longer than [MaxBytes].
type Policy struct {
	// MinLength is the minimum length in Unicode code points. An empty
	// password is always too short, whatever MinLength says.
	MinLength int
	// MaxLength is the maximum length in Unicode code points; 0 means no
	// limit below MaxBytes.
	MaxLength int
	// RequireUpper asks for at least one uppercase letter (Unicode, so É
	// counts).
	RequireUpper bool
	// RequireLower asks for at least one lowercase letter (Unicode, so é
	// counts).
	RequireLower bool
	// RequireDigit asks for at least one decimal digit (Unicode category Nd).
	RequireDigit bool
	// RequireSpecial asks for at least one character of Specials.
	RequireSpecial bool
	// RejectCommon rejects passwords on the embedded list of common
	// passwords; see IsCommon for what matches.
	RejectCommon bool
	// RejectEmailLocalPart makes CheckFor reject a password that contains
	// the local part of the email address (case-insensitively) when that
	// part has at least 3 code points.
	RejectEmailLocalPart bool
	// MaxAge is how long a password stays valid before its owner must
	// change it; 0 means it never expires. Check does not use it: the
	// account service compares it with the time the password last changed.
	MaxAge time.Duration
}

// Mendix returns the policy of the Mendix platform: 12 to 200 code points,
// at least one uppercase letter, one lowercase letter, one digit and one
// special character, and a maximum age of 90 days. The optional rules
// (RejectCommon, RejectEmailLocalPart) are off; switch them on as needed.
func Mendix() Policy {
	return Policy{
		MinLength:      12,
		MaxLength:      200,
		RequireUpper:   true,
		RequireLower:   true,
		RequireDigit:   true,
		RequireSpecial: true,
		MaxAge:         90 * 24 * time.Hour,
	}
}

// NIST returns a policy after NIST SP 800-63B: at least 15 code points, at
// most 200 (the guideline asks for a maximum of at least 64), no composition
// rules and no expiry. The guideline also asks for a blocklist; set
// RejectCommon (and RejectEmailLocalPart) to follow it fully.
func NIST() Policy {
	return Policy{MinLength: 15, MaxLength: 200}
}

// Check returns nil when pw meets the policy, or a *PolicyError listing
// every rule it breaks. The email rule is skipped; use CheckFor to apply it.
// Length is counted in code points, and pw is never trimmed, truncated or
// normalised. Input longer than MaxBytes bytes (or than four bytes per
// allowed code point) is reported as TooLong alone, without being scanned.
func (p Policy) Check(pw string) error {
	return p.CheckFor(pw, "")
}

// CheckFor is Check plus, when RejectEmailLocalPart is set, the rule that
// pw must not contain the local part of email (the text before the last @).
// An email without @ or with a local part shorter than 3 code points is
// ignored by that rule.
func (p Policy) CheckFor(pw, email string) error {
	if p.tooManyBytes(pw) {
		return &PolicyError{Violations: []Violation{TooLong}}
	}
	var vs []Violation
	add := func(broken bool, v Violation) {
		if broken {
			vs = append(vs, v)
		}
	}
	c := classify(pw)
	add(!utf8.ValidString(pw), InvalidUTF8)
	add(c.runes == 0 || c.runes < p.MinLength, TooShort)
	add(p.MaxLength > 0 && c.runes > p.MaxLength, TooLong)
	add(p.RequireUpper && !c.upper, NoUpper)
	add(p.RequireLower && !c.lower, NoLower)
	add(p.RequireDigit && !c.digit, NoDigit)
	add(p.RequireSpecial && !c.special, NoSpecial)
	add(p.RejectCommon && IsCommon(pw), Common)
	add(p.RejectEmailLocalPart && containsLocalPart(pw, email), ContainsEmail)
	if len(vs) == 0 {
		return nil
	}
	return &PolicyError{Violations: vs}
}

// tooManyBytes reports whether pw is certainly too long from its byte length
// alone, so that huge input costs nothing to reject.
func (p Policy) tooManyBytes(pw string) bool {
	if len(pw) > MaxBytes {
		return true
	}
	return p.MaxLength > 0 && len(pw) > p.MaxLength*utf8.UTFMax
}

// classes is what one pass over a password finds.
type classes struct {
	runes                        int
	upper, lower, digit, special bool
}

// classify counts the code points of pw (an invalid byte counts as one) and
// notes which character classes occur.
func classify(pw string) classes {
	var c classes
	for _, r := range pw {
		c.runes++
		switch {
		case r < utf8.RuneSelf && strings.IndexByte(Specials, byte(r)) >= 0:
			c.special = true
		case unicode.IsUpper(r):
			c.upper = true
		case unicode.IsLower(r):
			c.lower = true
		case unicode.IsDigit(r):
			c.digit = true
		}
	}
	return c
}

// containsLocalPart reports whether pw contains the local part of email,
// ignoring case, when that local part has at least 3 code points.
func containsLocalPart(pw, email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	local := email[:at]
	if utf8.RuneCountInString(local) < 3 {
		return false
	}
	return strings.Contains(strings.ToLower(pw), strings.ToLower(local))
}
