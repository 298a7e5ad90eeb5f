package notify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/seed-a97ca23f/usersettings/notify"
)

// received is one message as the test server saw it.
type received struct {
	from, to string
	data     []byte
	tls      bool
	user     string
}

// smtpServer is a real SMTP server on loopback that records what it
// receives. Fields set before start change its behaviour.
type smtpServer struct {
	user, pass string         // when set, AUTH PLAIN is required
	rcptErr    error          // returned by RCPT TO when set
	hang       chan struct{}  // when set, DATA blocks until it is closed
	tlsConfig  *tls.Config    // STARTTLS (or implicit TLS) when set
	implicit   bool           // serve TLS from the first byte
	addr       string         // host:port once started
	mu         sync.Mutex     // guards got
	got        []received     // delivered messages
	srv        *gosmtp.Server // the running server
}

func (s *smtpServer) start(t *testing.T) {
	t.Helper()
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &session{s: s, c: c}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = s.tlsConfig == nil
	srv.TLSConfig = s.tlsConfig
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	if s.implicit {
		l = tls.NewListener(l, s.tlsConfig)
	}
	s.addr, s.srv = l.Addr().String(), srv
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

type session struct {
	s    *smtpServer
	c    *gosmtp.Conn
	cur  received
	auth string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.user || password != ss.s.pass {
			return errors.New("invalid credentials")
		}
		ss.auth = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if ss.s.user != "" && ss.auth == "" {
		return gosmtp.ErrAuthRequired
	}
	_, isTLS := ss.c.TLSConnectionState()
	ss.cur = received{from: from, tls: isTLS, user: ss.auth}
	return nil
}

func (ss *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if ss.s.rcptErr != nil {
		return ss.s.rcptErr
	}
	ss.cur.to = to
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.s.hang != nil {
		<-ss.s.hang
	}
	ss.cur.data = b
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, ss.cur)
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Reset()        {}
func (ss *session) Logout() error { return nil }

// selfSigned returns a server TLS config with a fresh self-signed
// certificate for 127.0.0.1 and a client config that trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "notify test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	return server, client
}

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
	checkHeader(t, msg, "Content-Type", "text/plain; charset=utf-8")
	checkHeader(t, msg, "Content-Transfer-Encoding", "quoted-printable")
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
	dec, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("decoding body: %v", err)
	}
	if got, want := string(dec), strings.ReplaceAll(body, "\n", "\r\n")+"\r\n"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	for _, line := range strings.Split(string(r.data), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line longer than 78 characters: %q", line)
		}
	}
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
