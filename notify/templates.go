package notify

import (
	"embed"
	"fmt"
	"net/url"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/seed-a97ca23f/usersettings/errs"
)

//go:embed templates/*.txt
var templateFS embed.FS

// templates hold the layout of the mails; every text in them is a
// catalogue key given to t, which render binds to the mail's language.
var templates = template.Must(template.New("mail").Funcs(template.FuncMap{"t": fmt.Sprintf}).
	ParseFS(templateFS, "templates/*.txt"))

// Errors of the message builders.
var (
	// ErrUnknownPurpose is returned by CodeMessage for a purpose it has no
	// text for.
	ErrUnknownPurpose = errs.New(errs.Internal, "unknown_purpose", "notify: unknown code purpose")
	// ErrUnknownNotice is returned by NoticeMessage for a kind it has no
	// text for.
	ErrUnknownNotice = errs.New(errs.Internal, "unknown_notice", "notify: unknown notice kind")
	// ErrInvalidCodeMessage is returned by CodeMessage for an empty or over-long
	// code, one with spaces or control characters, or a TTL that is not
	// positive.
	ErrInvalidCodeMessage = errs.New(errs.Internal, "invalid_code_message", "notify: invalid code or ttl")
)

// Code purposes understood by CodeMessage. They equal the purposes of
// package verification.
const (
	PurposeSignUp        = "signup"
	PurposeAddAccount    = "add_account"
	PurposePasswordReset = "password_reset"
	PurposeMerge         = "merge"
	PurposeRecoveryEmail = "recovery_email"
	PurposeRecoveryReset = "recovery_reset"
	PurposeEmailChange   = "email_change"
	PurposeUnlock        = "sign_in_unlock"
)

// codeTexts holds the subject and what the code confirms, per purpose:
// catalogue keys.
var codeTexts = map[string]struct{ subject, action string }{
	PurposeSignUp:        {"Confirm your email address", "confirm your email address and finish creating your account"},
	PurposeAddAccount:    {"Confirm the account you are adding", "add this email address as a login account to your profile"},
	PurposePasswordReset: {"Reset your password", "choose a new password for your account"},
	PurposeMerge:         {"Confirm merging your profiles", "confirm that you want to merge two profiles into one"},
	PurposeRecoveryEmail: {"Confirm your recovery email", "make this address the recovery email of your profile"},
	PurposeRecoveryReset: {"Reset a password through your recovery email", "choose a new password for the account named below"},
	PurposeEmailChange:   {"Confirm your new login email", "make this address the login email of your account"},
	PurposeUnlock:        {"Unlock your sign-in", "sign in from this device although too many wrong passwords were tried for your account; you still need your password"},
}

// maxCodeLen bounds a code placed in a message.
const maxCodeLen = 64

// CodeMessage returns the email that delivers a one-time code for the
// purpose ("signup", "add_account", "password_reset" or "merge"). The
// message says what the code confirms, that it expires after ttl and works
// once, and to ignore the email when it was not requested. The code itself
// appears only in the body. It returns ErrInvalidAddress,
// ErrHeaderInjection, ErrUnknownPurpose or ErrInvalidCodeMessage.
func CodeMessage(to string, purpose string, code string, ttl time.Duration) (Message, error) {
	return CodeNote(to, purpose, code, ttl, "")
}

// maxNote bounds the note of CodeNote in characters.
const maxNote = 1000

// CodeNote is CodeMessage with a note after what the code confirms, such
// as the accounts a password reset is for. The note must hold no secret:
// control characters other than line breaks become spaces, and it is cut
// to 1000 characters. An empty note is CodeMessage.
func CodeNote(to string, purpose string, code string, ttl time.Duration, note string) (Message, error) {
	return CodeMail{To: to, Purpose: purpose, Code: code, TTL: ttl, Note: note}.Message()
}

// CodeMail is everything a code mail says; Message renders it.
type CodeMail struct {
	// To is the address; Purpose one of the Purpose constants.
	To, Purpose string
	// Code is the one-time code, and TTL how long it lives.
	Code string
	TTL  time.Duration
	// Note follows what the code confirms; see CodeNote.
	Note string
	// Key, when set, is a second secret of the same code that cannot be
	// guessed, for when someone else's wrong guesses killed the code
	// (verification.Purpose.Keyed). Link, when set, is the absolute
	// http(s) address of the page that takes the key, and the mail gives
	// it instead of the key.
	Key, Link string
	// Language is the language of the mail, matched against Languages;
	// the zero tag means English. A service sets it from LanguageFrom.
	Language language.Tag
}

// Message renders the mail. It returns ErrInvalidAddress,
// ErrHeaderInjection, ErrUnknownPurpose or ErrInvalidCodeMessage (also
// for a key or link that holds a space or control character, or a link
// that is not an absolute http or https URL).
func (m CodeMail) Message() (Message, error) {
	if _, err := parseAddress(m.To); err != nil {
		return Message{}, err
	}
	text, ok := codeTexts[m.Purpose]
	if !ok {
		return Message{}, ErrUnknownPurpose
	}
	if !validCode(m.Code) || m.TTL <= 0 || (m.Key != "" && !validCode(m.Key)) || (m.Link != "" && !validLink(m.Link)) {
		return Message{}, ErrInvalidCodeMessage
	}
	lang := match(m.Language)
	body, err := render(lang, "code.txt", map[string]string{
		"Code": m.Code, "Action": tr(lang, text.action), "TTL": humanDuration(lang, m.TTL), "Note": cleanNote(m.Note),
		"Key": m.Key, "Link": m.Link,
	})
	if err != nil {
		return Message{}, err
	}
	return Message{To: m.To, Subject: tr(lang, text.subject), Body: body, Language: lang.String()}, nil
}

// validLink reports whether link is an absolute http or https URL
// without spaces or control characters, short enough for a mail.
func validLink(link string) bool {
	if len(link) > 2000 || strings.IndexFunc(link, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return false
	}
	u, err := url.Parse(link)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// cleanNote replaces control characters but line breaks, and invalid
// UTF-8, by spaces, trims, and cuts to maxNote characters.
func cleanNote(s string) string {
	s = strings.Map(func(r rune) rune {
		if r != '\n' && (unicode.IsControl(r) || r == unicode.ReplacementChar) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > maxNote {
		s = string(r[:maxNote-1]) + "…"
	}
	return s
}

func validCode(code string) bool {
	if code == "" || len(code) > maxCodeLen || !utf8.ValidString(code) {
		return false
	}
	return strings.IndexFunc(code, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) < 0
}

// render executes the template name with its texts in the language
// lang.
func render(lang language.Tag, name string, data any) (string, error) {
	t, err := templates.Clone()
	if err != nil {
		return "", fmt.Errorf("notify: template %s: %w", name, err)
	}
	t.Funcs(template.FuncMap{"t": func(key string, args ...any) string { return tr(lang, key, args...) }})
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("notify: template %s: %w", name, err)
	}
	return b.String(), nil
}

// humanDuration writes d in the language lang as whole hours, minutes or
// seconds, rounding down to the largest unit that fits: "10 minutes", "1
// hour", "90 seconds" (a duration under two minutes is written in
// seconds).
func humanDuration(lang language.Tag, d time.Duration) string {
	switch {
	case d >= 2*time.Hour || d%time.Hour == 0 && d >= time.Hour:
		return count(lang, int64(d/time.Hour), "1 hour", "%s hours")
	case d >= 2*time.Minute || d%time.Minute == 0 && d >= time.Minute:
		return count(lang, int64(d/time.Minute), "1 minute", "%s minutes")
	default:
		return count(lang, max(int64(d/time.Second), 1), "1 second", "%s seconds")
	}
}
