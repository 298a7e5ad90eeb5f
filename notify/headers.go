package notify

import (
	"errors"
	"strings"
)

// ErrHeaderInjection is returned for a message whose recipient or subject
// contains a line break or a NUL byte.
var ErrHeaderInjection = errors.New("notify: line break in address or subject")

func checkHeaders(m Message) error {
	if strings.ContainsAny(m.To, "\r\n\x00") || strings.ContainsAny(m.Subject, "\r\n\x00") {
		return ErrHeaderInjection
	}
	return nil
}
