// Package usersettingstest holds helpers for tests of the SDK and of the
// programs that embed it, written once: an error check and the
// extraction of a one-time code from a mail. It imports no package of
// the SDK, so any test may use it. Subpackage fakeclock is a hand-moved
// clock for Options.Now, and pgtest gives a test a fresh schema on a
// PostgreSQL server.
package usersettingstest

import (
	"errors"
	"regexp"
	"testing"
)

// WantErr reports an error on t unless errors.Is(got, want); a nil want
// wants a nil error. what names the call checked in the message.
func WantErr(t testing.TB, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Errorf("%s: got error %v, want %v", what, got, want)
	}
}

// mailCodeRE matches a one-time code as notify's code template writes
// it: six digits alone on their (indented) line.
var mailCodeRE = regexp.MustCompile(`(?m)^\s+(\d{6})\s*$`)

// FindMailCode returns the one-time code in a mail body, and whether
// there is one.
func FindMailCode(body string) (string, bool) {
	m := mailCodeRE.FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// HasMailCode reports whether a mail body holds a one-time code: a
// notice must not.
func HasMailCode(body string) bool {
	_, ok := FindMailCode(body)
	return ok
}

// MailCode returns the one-time code in a mail body, or fails t when
// there is none. what names the mail in the message.
func MailCode(t testing.TB, what, body string) string {
	t.Helper()
	code, ok := FindMailCode(body)
	if !ok {
		t.Fatalf("no code in %s:\n%s", what, body)
	}
	return code
}

// mailKeyRE matches the key that the mail of a flow anyone can name
// carries besides its code (verification.Purpose.Keyed): on a line of
// its own, or as the key parameter of a link.
var mailKeyRE = regexp.MustCompile(`(?m)(?:^\s+|[?&]key=)([a-z2-7]{5}(?:-[a-z2-7]{1,5}){5})\s*$`)

// FindMailKey returns the key in a mail body, alone or in a link, and
// whether there is one.
func FindMailKey(body string) (string, bool) {
	m := mailKeyRE.FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// MailKey returns the key in a mail body, or fails t when there is none.
// what names the mail in the message.
func MailKey(t testing.TB, what, body string) string {
	t.Helper()
	key, ok := FindMailKey(body)
	if !ok {
		t.Fatalf("no key in %s:\n%s", what, body)
	}
	return key
}
