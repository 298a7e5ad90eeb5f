package notify_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

var smtpNow = time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)

func newMailer(addr string, mod func(*notify.SMTPConfig)) *notify.SMTP {
	c := notify.SMTPConfig{
		Addr: addr, From: "Platform Notices <no-reply@example.com>",
		Now: func() time.Time { return smtpNow }, Timeout: 5 * time.Second,
	}
	if mod != nil {
		mod(&c)
	}
	return notify.NewSMTP(c)
}

// only returns the single message the server received.
func only(t *testing.T, s *smtpServer) received {
	t.Helper()
	got := s.messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	return got[0]
}

func TestSMTPDelivers(t *testing.T) {
	s := &smtpServer{}
	s.start(t)
	body := "Line one.\n.leading dot\n..two dots\nLänge über 76 Zeichen: " + strings.Repeat("x", 80) + "\n.\nend"
	m := notify.Message{To: "Ann Example <ann@example.com>", Subject: "Grüße — your code", Body: body}
	if err := newMailer(s.addr, nil).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := only(t, s)
	if r.from != "no-reply@example.com" || r.to != "ann@example.com" {
		t.Errorf("envelope = %q -> %q, want no-reply@example.com -> ann@example.com", r.from, r.to)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(r.data))
	if err != nil {
		t.Fatalf("ReadMessage: %v\n%s", err, r.data)
	}
	checkHeader(t, msg, "From", `"Platform Notices" <no-reply@example.com>`)
	checkHeader(t, msg, "To", `"Ann Example" <ann@example.com>`)
	checkHeader(t, msg, "Date", "Mon, 04 Mar 2024 05:06:07 +0000")
	checkHeader(t, msg, "MIME-Version", "1.0")
	if raw := msg.Header.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("raw Subject = %q, want RFC 2047 encoded", raw)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != m.Subject {
		t.Errorf("Subject = %q, %v; want %q", subj, err, m.Subject)
	}
	if id := msg.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID = %q, want <…@example.com>", id)
	}
	parts := mailParts(t, msg)
	if got, want := parts["text/plain"], strings.ReplaceAll(body, "\n", "\r\n"); got != want {
		t.Errorf("text part = %q, want %q", got, want)
	}
	if got := parts["text/html"]; !strings.Contains(got, "Länge über 76 Zeichen") || !strings.Contains(got, "<title>Grüße — your code</title>") {
		t.Errorf("html part lacks the text or subject:\n%s", got)
	}
	for _, line := range strings.Split(string(r.data), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line longer than 78 characters: %q", line)
		}
	}
}

// mailParts reads a multipart/alternative message and returns its
// parts' decoded bodies by media type, after checking that each part is
// quoted-printable UTF-8.
func mailParts(t *testing.T, msg *mail.Message) map[string]string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	var order []string
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading part: %v", err)
		}
		pt, pp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || pp["charset"] != "utf-8" || p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Fatalf("part headers = %v, want charset=utf-8 and quoted-printable", p.Header)
		}
		dec, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatalf("decoding %s part: %v", pt, err)
		}
		parts[pt] = string(dec)
		order = append(order, pt)
	}
	if strings.Join(order, ",") != "text/plain,text/html" {
		t.Fatalf("parts = %v, want text/plain then text/html", order)
	}
	return parts
}

func checkHeader(t *testing.T, msg *mail.Message, k, want string) {
	t.Helper()
	if got := msg.Header.Get(k); got != want {
		t.Errorf("%s = %q, want %q", k, got, want)
	}
}

func TestSMTPAuthPlain(t *testing.T) {
	s := &smtpServer{user: "mailer", pass: "s3cret pass"}
	s.start(t)
	m := notify.Message{To: "ann@example.com", Subject: "Hi", Body: "Hello"}
	err := newMailer(s.addr, func(c *notify.SMTPConfig) { c.Username, c.Password = "mailer", "wrong" }).
		Send(context.Background(), m)
	if err == nil {
		t.Fatal("Send with a wrong password: got nil error")
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %q contains the password", err)
	}
	err = newMailer(s.addr, func(c *notify.SMTPConfig) { c.Username, c.Password = "mailer", "s3cret pass" }).
		Send(context.Background(), m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r := only(t, s); r.user != "mailer" {
		t.Errorf("authenticated user = %q, want mailer", r.user)
	}
}

func TestSMTPStartTLS(t *testing.T) {
	srvTLS, cliTLS := selfSigned(t)
	s := &smtpServer{tlsConfig: srvTLS, user: "mailer", pass: "pw"}
	s.start(t)
	m := notify.Message{To: "ann@example.com", Subject: "Hi", Body: "Hello"}
	err := newMailer(s.addr, func(c *notify.SMTPConfig) {
		c.TLSConfig, c.RequireTLS, c.Username, c.Password = cliTLS, true, "mailer", "pw"
	}).Send(context.Background(), m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r := only(t, s); !r.tls || r.user != "mailer" {
		t.Errorf("tls = %v, user = %q; want true, mailer", r.tls, r.user)
	}

	// The system roots do not trust the self-signed certificate.
	err = newMailer(s.addr, nil).Send(context.Background(), m)
	var uerr x509.UnknownAuthorityError
	if !errors.As(err, &uerr) {
		t.Errorf("Send with untrusted certificate: got %v, want x509.UnknownAuthorityError", err)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	srvTLS, cliTLS := selfSigned(t)
	s := &smtpServer{tlsConfig: srvTLS, implicit: true}
	s.start(t)
	m := notify.Message{To: "ann@example.com", Subject: "Hi", Body: "Hello"}
	err := newMailer(s.addr, func(c *notify.SMTPConfig) { c.TLSConfig, c.ImplicitTLS = cliTLS, true }).
		Send(context.Background(), m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r := only(t, s); !r.tls {
		t.Error("message was not received over TLS")
	}
}

func TestSMTPRequireTLS(t *testing.T) {
	s := &smtpServer{}
	s.start(t)
	m := notify.Message{To: "ann@example.com", Subject: "Hi", Body: "Hello"}
	err := newMailer(s.addr, func(c *notify.SMTPConfig) { c.RequireTLS = true }).Send(context.Background(), m)
	if !errors.Is(err, notify.ErrTLSRequired) {
		t.Errorf("Send = %v, want ErrTLSRequired", err)
	}
	if n := len(s.messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestSMTPServerError(t *testing.T) {
	s := &smtpServer{rcptErr: &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}
	s.start(t)
	err := newMailer(s.addr, nil).Send(context.Background(), notify.Message{To: "ann@example.com", Subject: "Hi"})
	var perr *textproto.Error
	if !errors.As(err, &perr) || perr.Code != 550 {
		t.Errorf("Send = %v, want a *textproto.Error with code 550", err)
	}
}

func TestSMTPContext(t *testing.T) {
	s := &smtpServer{hang: make(chan struct{})}
	s.start(t)
	defer close(s.hang)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := newMailer(s.addr, nil).Send(ctx, notify.Message{To: "ann@example.com", Subject: "Hi"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Send returned after %v, want soon after the deadline", d)
	}

	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := newMailer(s.addr, nil).Send(cancelled, notify.Message{To: "ann@example.com"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Send with cancelled ctx = %v, want context.Canceled", err)
	}
}

func TestSMTPRefusesInjection(t *testing.T) {
	s := &smtpServer{}
	s.start(t)
	mailer := newMailer(s.addr, nil)
	tests := []struct {
		name string
		m    notify.Message
		want error
	}{
		{"CRLF in To", notify.Message{To: "ann@example.com\r\nBcc: eve@example.com", Subject: "Hi"}, notify.ErrHeaderInjection},
		{"LF in To", notify.Message{To: "ann@example.com\nBcc: eve@example.com", Subject: "Hi"}, notify.ErrHeaderInjection},
		{"CR in Subject", notify.Message{To: "ann@example.com", Subject: "Hi\rBcc: eve@example.com"}, notify.ErrHeaderInjection},
		{"LF in Subject", notify.Message{To: "ann@example.com", Subject: "Hi\nBcc: eve@example.com"}, notify.ErrHeaderInjection},
		{"NUL in Subject", notify.Message{To: "ann@example.com", Subject: "Hi\x00"}, notify.ErrHeaderInjection},
		{"two recipients", notify.Message{To: "ann@example.com, eve@example.com", Subject: "Hi"}, notify.ErrInvalidAddress},
		{"not an address", notify.Message{To: "ann", Subject: "Hi"}, notify.ErrInvalidAddress},
		{"empty", notify.Message{Subject: "Hi"}, notify.ErrInvalidAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := mailer.Send(context.Background(), tt.m); !errors.Is(err, tt.want) {
				t.Errorf("Send = %v, want %v", err, tt.want)
			}
		})
	}
	if n := len(s.messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestNewSMTPPanics(t *testing.T) {
	for _, c := range []notify.SMTPConfig{
		{Addr: "localhost", From: "a@example.com"},
		{Addr: "localhost:25", From: "not an address"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewSMTP(%+v) did not panic", c)
				}
			}()
			notify.NewSMTP(c)
		}()
	}
}

func TestSMTPTimeout(t *testing.T) {
	s := &smtpServer{hang: make(chan struct{})}
	s.start(t)
	defer close(s.hang)
	err := newMailer(s.addr, func(c *notify.SMTPConfig) { c.Timeout = 200 * time.Millisecond }).
		Send(context.Background(), notify.Message{To: "ann@example.com", Subject: "Hi"})
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Send = %v, want os.ErrDeadlineExceeded", err)
	}
}

func TestOutboxRefusesBadAddress(t *testing.T) {
	o := notify.NewOutbox()
	if err := o.Send(context.Background(), notify.Message{To: "not an address"}); !errors.Is(err, notify.ErrInvalidAddress) {
		t.Errorf("Send = %v, want ErrInvalidAddress", err)
	}
	if n := len(o.Messages()); n != 0 {
		t.Errorf("outbox holds %d messages, want 0", n)
	}
}

// A code mail reaches the SMTP server as multipart/alternative in either
// language: the text and the HTML part hold the same code, and the HTML
// loads nothing remote.
func TestSMTPCodeMailMultipart(t *testing.T) {
	for _, lang := range notify.Languages {
		t.Run(lang.String(), func(t *testing.T) {
			s := &smtpServer{}
			s.start(t)
			m, err := notify.CodeMail{To: "ann@example.com", Purpose: notify.PurposeRecoveryReset, Code: "042137",
				TTL: 10 * time.Minute, Note: "- ann@example.com", Key: "KEYK-EYKE", Link: "https://settings.example/r?key=KEYK-EYKE", Language: lang}.Message()
			if err != nil {
				t.Fatal(err)
			}
			if err := newMailer(s.addr, nil).Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			msg, err := mail.ReadMessage(bytes.NewReader(only(t, s).data))
			if err != nil {
				t.Fatal(err)
			}
			if got := msg.Header.Get("Content-Language"); got != lang.String() {
				t.Errorf("Content-Language = %q, want %q", got, lang)
			}
			parts := mailParts(t, msg)
			text, page := parts["text/plain"], parts["text/html"]
			if want := `<html lang="` + lang.String() + `">`; !strings.Contains(page, want) {
				t.Errorf("html part lacks %q:\n%.200s", want, page)
			}
			if got := usersettingstest.MailCode(t, "text part", text); got != "042137" {
				t.Errorf("text part code = %q", got)
			}
			for _, want := range []string{">042137</code>", `<a href="https://settings.example/r?key=KEYK-EYKE">`, "<li>ann@example.com</li>"} {
				if !strings.Contains(page, want) {
					t.Errorf("html part lacks %q:\n%s", want, page)
				}
			}
			first, _, _ := strings.Cut(strings.TrimSpace(m.Body), "\n")
			if !strings.Contains(page, "<p>"+first+"</p>") {
				t.Errorf("html part lacks the opening %q of the text:\n%s", first, page)
			}
			if bad := regexp.MustCompile(`(?i)<img|<link|\ssrc=|url\(|https?://[^"<]*\.(png|gif|jpe?g|css)`).FindString(page); bad != "" {
				t.Errorf("html part loads something: %q\n%s", bad, page)
			}
		})
	}
}

// A language that is no BCP 47 tag is left out of the header and the
// HTML part: it can add neither a header nor markup.
func TestSMTPLanguageNoTag(t *testing.T) {
	s := &smtpServer{}
	s.start(t)
	m := notify.Message{To: "ann@example.com", Subject: "Hello", Body: "Hello.", Language: "nl\r\nBcc: eve@example.com\"><script>"}
	if err := newMailer(s.addr, nil).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	data := string(only(t, s).data)
	for _, bad := range []string{"Content-Language", "Bcc", "eve@", "<script>"} {
		if strings.Contains(data, bad) {
			t.Errorf("the message holds %q:\n%s", bad, data)
		}
	}
	if !strings.Contains(m.HTML(), "<html><head>") {
		t.Errorf("HTML() = %.80q, want no lang attribute", m.HTML())
	}
}
