package profile

import (
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// Limits of the profile fields, counted in Unicode code points.
const (
	MaxTextLen     = 100  // name, job title, department
	MaxAboutYouLen = 2000 // about you
	MaxListLen     = 50   // skills or industry experience items
	MaxItemLen     = 60   // one skill or industry
	MaxEmailLen    = 254  // recovery email, in bytes
	MaxURLLen      = 300  // Twitter and LinkedIn URLs, in bytes
)

// Field names used in ValidationError.Fields and in history entries; they
// are the JSON names of the fields.
const (
	FieldName          = "name"
	FieldJobTitle      = "job_title"
	FieldDepartment    = "department"
	FieldCountry       = "country"
	FieldAboutYou      = "about_you"
	FieldSkills        = "skills"
	FieldIndustries    = "industry_experience"
	FieldTwitterURL    = "twitter_url"
	FieldLinkedInURL   = "linkedin_url"
	FieldRecoveryEmail = "recovery_email"
	// FieldPendingRecoveryEmail names, in the history, a recovery email
	// waiting for its code; it is set through FieldRecoveryEmail.
	FieldPendingRecoveryEmail = "pending_recovery_email"
	FieldPublic               = "public"
	FieldLanguage             = "language"
	FieldAvatar               = "avatar"
	FieldPoints               = "points"
	FieldAchievements         = "achievements"
	FieldCertifications       = "certifications"
	FieldAcademy              = "academy"
)

// Reason codes reported in ValidationError.Fields.
const (
	ReasonInvalidText     = "invalid_text"     // not UTF-8, or a control character
	ReasonTooLong         = "too_long"         // over the field's length limit
	ReasonTooMany         = "too_many"         // a list with too many items
	ReasonItemTooLong     = "item_too_long"    // one list item over MaxItemLen
	ReasonUnknownCountry  = "unknown_country"  // not an assigned ISO 3166-1 alpha-2 code
	ReasonInvalidURL      = "invalid_url"      // not a URL of the expected shape
	ReasonNotHTTPS        = "not_https"        // a scheme other than https
	ReasonWrongHost       = "wrong_host"       // a host other than the service's
	ReasonInvalidEmail    = "invalid_email"    // not one plain email address
	ReasonEmpty           = "empty"            // an avatar without bytes
	ReasonTooLarge        = "too_large"        // an avatar over MaxAvatarBytes
	ReasonUnsupportedType = "unsupported_type" // not PNG, JPEG or GIF
	ReasonTypeMismatch    = "type_mismatch"    // the claimed type differs from the bytes
	ReasonUndecodable     = "undecodable"      // the image cannot be decoded
	ReasonDimensions      = "bad_dimensions"   // width or height out of bounds
	ReasonMissingID       = "missing_id"       // a progress item without ID
	ReasonDuplicateID     = "duplicate_id"     // two progress items with one ID
	ReasonOutOfRange      = "out_of_range"     // a number out of its range
	ReasonNotAllowed      = "not_allowed"      // not one of a choice field's values
)

// ErrInvalid is wrapped by every *ValidationError.
var ErrInvalid = errs.New(errs.Invalid, "invalid_profile", "profile: invalid input")

// ValidationError reports every invalid field of one write at once. Fields
// maps the JSON name of each bad field to a reason code (Reason…). Nothing
// was changed.
type ValidationError struct {
	Fields map[string]string
}

// Error lists the bad fields with their reasons, sorted by field name. It
// never contains the rejected values.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("profile: invalid input:")
	for _, f := range slices.Sorted(maps.Keys(e.Fields)) {
		b.WriteString(" " + f + "=" + e.Fields[f])
	}
	return b.String()
}

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Details returns the bad fields and their reasons as "fields".
func (e *ValidationError) Details() map[string]any {
	return map[string]any{"fields": e.Fields}
}

// add records a bad field; an empty reason is ignored.
func (e *ValidationError) add(field, reason string) {
	if reason == "" {
		return
	}
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	e.Fields[field] = reason
}

// err returns e, or nil when no field is bad.
func (e *ValidationError) err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Normalize validates every editable field of p and returns it normalised:
// texts trimmed, the country upper case, lists trimmed and de-duplicated,
// URLs and the recovery email in canonical form. On error it returns p
// unchanged and a *ValidationError naming every bad field. ID, Public,
// Avatar and the times are returned as they are.
func Normalize(p Profile) (Profile, error) { return fields.Normalize(p) }

// line checks a one-line text such as a name: trimmed, at most max code
// points, no control or bidirectional-override characters.
func line(s string, max int) (string, string) {
	return text(s, max, false)
}

func text(s string, max int, multiline bool) (string, string) {
	if !utf8.ValidString(s) {
		return "", ReasonInvalidText
	}
	if multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	s = strings.TrimSpace(s)
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if forbidden(r) {
			return "", ReasonInvalidText
		}
	}
	if utf8.RuneCountInString(s) > max {
		return "", ReasonTooLong
	}
	return s, ""
}

// forbidden reports control characters, line separators and the
// bidirectional overrides that can disguise text.
func forbidden(r rune) bool {
	switch {
	case unicode.IsControl(r), r == '\u2028', r == '\u2029', r == '\ufeff':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// list trims the items, drops empty ones and keeps the first spelling of
// items that are equal ignoring case; it allows maxItems items of at most
// maxLen code points.
func list(items []string, maxItems, maxLen int) ([]string, string) {
	if len(items) > 10*maxItems {
		return nil, ReasonTooMany
	}
	out := make([]string, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		it, reason := line(it, maxLen)
		if reason == ReasonTooLong {
			return nil, ReasonItemTooLong
		}
		if reason != "" {
			return nil, reason
		}
		key := strings.ToLower(it)
		if it == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, it)
	}
	if len(out) > maxItems {
		return nil, ReasonTooMany
	}
	return out, ""
}
