package notify

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// FuzzBuildMessage checks that no To, Subject or Body can add a header or
// break the header block: a message is either refused or parses back with
// exactly the headers the builder writes.
func FuzzBuildMessage(f *testing.F) {
	f.Add("ann@example.com", "Hello", "Body\n.\n")
	f.Add("Ann <ann@example.com>", "Grüße", "line\r\nBcc: eve@example.com")
	f.Add("ann@example.com\r\nBcc: eve@example.com", "Hi", "")
	f.Add("ann@example.com", "Hi\nBcc: eve@example.com", "")
	f.Add(`"a\"b" <ann@example.com>`, "=?utf-8?q?x?=", "\r\n\r\nX-Evil: 1")
	want := []string{"From", "To", "Subject", "Date", "Message-Id", "Mime-Version",
		"Content-Type", "Auto-Submitted"}
	f.Fuzz(func(t *testing.T, to, subject, body string) {
		env, err := buildMessage("no-reply@example.com", Message{To: to, Subject: subject, Body: body},
			time.Unix(0, 0), "<id@example.com>")
		if err != nil {
			return
		}
		msg, err := mail.ReadMessage(bytes.NewReader(env.data))
		if err != nil {
			t.Fatalf("built message does not parse: %v\n%q", err, env.data)
		}
		if len(msg.Header) != len(want) {
			t.Fatalf("headers = %v, want exactly %v", msg.Header, want)
		}
		for _, k := range want {
			if len(msg.Header[k]) != 1 {
				t.Fatalf("header %s appears %d times, want once", k, len(msg.Header[k]))
			}
		}
		if strings.ContainsAny(env.to, "\r\n") || strings.ContainsAny(env.from, "\r\n") {
			t.Fatalf("envelope holds a line break: %q, %q", env.from, env.to)
		}
	})
}
