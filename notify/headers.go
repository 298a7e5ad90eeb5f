package notify

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"golang.org/x/text/language"
)

// ErrHeaderInjection is returned for a message whose recipient or subject
// contains a line break or a NUL byte.
var ErrHeaderInjection = errs.New(errs.Invalid, "header_injection", "notify: line break in address or subject")

// ErrInvalidAddress is returned for a recipient or sender that is not one
// RFC 5322 address ("ann@example.com" or "Ann <ann@example.com>").
var ErrInvalidAddress = errs.New(errs.Invalid, "invalid_email", "notify: invalid address")

func checkHeaders(m Message) error {
	if strings.ContainsAny(m.To, "\r\n\x00") || strings.ContainsAny(m.Subject, "\r\n\x00") {
		return ErrHeaderInjection
	}
	return nil
}

// languageTag returns m.Language in its canonical form (letters, digits
// and hyphens only), or "" when it is empty or no BCP 47 tag.
func (m Message) languageTag() string {
	if m.Language == "" {
		return ""
	}
	t, err := language.Parse(m.Language)
	if err != nil || t == language.Und {
		return ""
	}
	return t.String()
}

// parseAddress parses one address after refusing line breaks, so a value
// like "a@b\r\nBcc: c@d" can never reach a header or an SMTP command.
func parseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n\x00") {
		return nil, ErrHeaderInjection
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address == "" {
		return nil, ErrInvalidAddress
	}
	return a, nil
}

// envelope is a message ready for the wire: the bare addresses for the
// SMTP envelope and the formatted RFC 5322 text.
type envelope struct {
	from, to string
	data     []byte
}

// buildMessage formats m as a MIME multipart/alternative message: the
// text part (m.Body) and the HTML part (m.HTML), each text/… in UTF-8
// and quoted-printable. Headers are built only from parsed addresses and
// an RFC 2047 encoded subject; the body cannot add headers because it
// follows the blank line, each part is quoted-printable encoded with
// CRLF line ends, and the boundary, made from the message id, holds
// "=_", which quoted-printable never writes. Dot-stuffing is left to the
// SMTP data writer.
func buildMessage(from string, m Message, date time.Time, messageID string) (envelope, error) {
	if err := checkHeaders(m); err != nil {
		return envelope{}, err
	}
	fa, err := parseAddress(from)
	if err != nil {
		return envelope{}, fmt.Errorf("notify: sender: %w", err)
	}
	ta, err := parseAddress(m.To)
	if err != nil {
		return envelope{}, err
	}
	local, _, _ := strings.Cut(strings.TrimPrefix(messageID, "<"), "@")
	boundary := "=_" + strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, local)
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", fa.String())
	header("To", ta.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", messageID)
	header("MIME-Version", "1.0")
	if lang := m.languageTag(); lang != "" {
		header("Content-Language", lang)
	}
	header("Content-Type", "multipart/alternative;\r\n boundary=\""+boundary+"\"")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	for _, part := range []struct{ kind, text string }{{"text/plain", m.Body}, {"text/html", m.HTML()}} {
		b.WriteString("--" + boundary + "\r\n")
		header("Content-Type", part.kind+"; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeBody(&b, part.text); err != nil {
			return envelope{}, err
		}
	}
	b.WriteString("--" + boundary + "--\r\n")
	return envelope{from: fa.Address, to: ta.Address, data: b.Bytes()}, nil
}

// writeBody writes the body quoted-printable encoded. Line ends of any
// kind become CRLF; lines are wrapped at 76 characters with soft breaks.
func writeBody(w io.Writer, body string) error {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, body); err != nil {
		return err
	}
	return qp.Close()
}

// domainOf returns the domain of an address, for Message-ID.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return addr[i+1:]
	}
	return "localhost"
}
