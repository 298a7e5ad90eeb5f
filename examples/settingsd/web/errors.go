package web

import (
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// The pages key on the SDK's error vocabulary: w.fail on the kind of an
// error (errs.KindOf), a form on its public code (codeOf), the same codes
// the JSON API answers. No page lists the sentinels of a package.

// codeOf returns the public code of err ("invalid_code", "locked"), or ""
// for nil.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return errs.CodeOf(err)
}

// waitOf returns how long err asks to wait before a retry; 0 when it does
// not say.
func waitOf(err error) time.Duration {
	d, _ := errs.RetryAfter(err)
	return d
}

// codeMessages is the message a form shows next to its field for a
// public code, where every page says the same.
var codeMessages = map[string]string{
	"invalid_code":  msgBadCode,
	"locked":        msgLocked,
	"invalid_email": msgBadEmail,
}

// addCode adds the message of err's code (codeMessages) to the field of
// f and reports whether the code has one.
func addCode(f *form, field string, err error) bool {
	msg, ok := codeMessages[codeOf(err)]
	if ok {
		f.add(field, msg)
	}
	return ok
}
