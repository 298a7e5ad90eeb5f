package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// Errors of the SMTP adapter. Errors reported by the server wrap a
// *textproto.Error carrying its reply code.
var (
	// ErrTLSRequired is returned when SMTPConfig.RequireTLS is set and the
	// server does not offer STARTTLS.
	ErrTLSRequired = errs.New(errs.Internal, "smtp_tls_required", "notify: smtp server does not offer starttls")
	// ErrAuthUnsupported is returned when credentials are configured and
	// the server does not offer AUTH.
	ErrAuthUnsupported = errs.New(errs.Internal, "smtp_auth_unsupported", "notify: smtp server does not offer auth")
)

// DefaultSMTPTimeout bounds one Send when SMTPConfig.Timeout is zero.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPConfig configures an SMTP Mailer. Zero fields take the documented
// defaults; Addr and From are required.
type SMTPConfig struct {
	// Addr is the server's host:port, for example "smtp.example.com:587".
	Addr string
	// From is the sender, an address such as "no-reply@example.com" or
	// "Example <no-reply@example.com>". It is used for the envelope and
	// the From header, and its domain ends every Message-ID.
	From string
	// Username and Password switch on AUTH PLAIN when Username is set.
	// net/smtp sends them only over TLS or to a server on localhost.
	Username string
	Password string
	// Hello is the name sent with EHLO; empty means "localhost".
	Hello string
	// TLSConfig is used for STARTTLS and implicit TLS; nil means the
	// system roots with ServerName set to Addr's host.
	TLSConfig *tls.Config
	// RequireTLS refuses to send when the server does not offer STARTTLS
	// (ErrTLSRequired). Without it, STARTTLS is used whenever offered.
	RequireTLS bool
	// ImplicitTLS connects with TLS from the first byte (port 465) instead
	// of upgrading with STARTTLS.
	ImplicitTLS bool
	// Timeout bounds one Send, connection included, in addition to the
	// context's deadline; zero means DefaultSMTPTimeout.
	Timeout time.Duration
	// Now stamps the Date header and Message.SentAt; nil means time.Now.
	Now func() time.Time
	// Rand makes Message-IDs; nil means crypto/rand.Reader.
	Rand io.Reader
}

// SMTP is a Mailer that hands each message to an SMTP server on its own
// connection. It is safe for concurrent use.
type SMTP struct {
	c    SMTPConfig
	host string
}

var _ Mailer = (*SMTP)(nil)

// NewSMTP returns an SMTP Mailer. It panics when Addr is not host:port or
// From is not a valid address, a programming error.
func NewSMTP(c SMTPConfig) *SMTP {
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil || host == "" {
		panic("notify: NewSMTP needs Addr as host:port")
	}
	if _, err := parseAddress(c.From); err != nil {
		panic("notify: NewSMTP needs a valid From address")
	}
	if c.Hello == "" {
		c.Hello = "localhost"
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultSMTPTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return &SMTP{c: c, host: host}
}

// Send implements Mailer. It formats m (see Message), connects, upgrades
// to TLS when the server offers STARTTLS, authenticates when credentials
// are configured, and delivers. The context's cancellation and deadline
// interrupt every step. Server replies other than success come back as
// errors; ErrHeaderInjection and ErrInvalidAddress are returned before any
// connection is made.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.c.Now()
	mid, err := s.messageID()
	if err != nil {
		return err
	}
	env, err := buildMessage(s.c.From, m, now, mid)
	if err != nil {
		return err
	}
	if err := s.deliver(ctx, env); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("notify: smtp: %w", cerr)
		}
		return err
	}
	return nil
}

func (s *SMTP) messageID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.c.Rand, b[:]); err != nil {
		return "", fmt.Errorf("notify: message id: %w", err)
	}
	from, _ := parseAddress(s.c.From) // checked by NewSMTP
	return "<" + hex.EncodeToString(b[:]) + "@" + domainOf(from.Address) + ">", nil
}

func (s *SMTP) tlsConfig() *tls.Config {
	if s.c.TLSConfig != nil {
		return s.c.TLSConfig.Clone()
	}
	return &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
}

// dial connects with the Timeout of this Send set on the connection and
// arranges for a done ctx to cut it off. stop undoes the latter.
func (s *SMTP) dial(ctx context.Context) (conn net.Conn, stop func() bool, err error) {
	// The context's own deadline acts through the AfterFunc below, so
	// that ctx.Err() is set whenever it cut the connection off.
	deadline := time.Now().Add(s.c.Timeout)
	d := net.Dialer{Deadline: deadline}
	if s.c.ImplicitTLS {
		td := tls.Dialer{NetDialer: &d, Config: s.tlsConfig()}
		conn, err = td.DialContext(ctx, "tcp", s.c.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.c.Addr)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("notify: smtp connect: %w", err)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("notify: smtp connect: %w", err)
	}
	stop = context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	return conn, stop, nil
}

func (s *SMTP) deliver(ctx context.Context, env envelope) error {
	conn, stop, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer stop()
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("notify: smtp greeting: %w", err)
	}
	defer c.Close()
	if err := s.session(c); err != nil {
		return err
	}
	return transmit(c, env)
}

// session says hello, upgrades to TLS and authenticates.
func (s *SMTP) session(c *smtp.Client) error {
	if err := c.Hello(s.c.Hello); err != nil {
		return fmt.Errorf("notify: smtp hello: %w", err)
	}
	if !s.c.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig()); err != nil {
				return fmt.Errorf("notify: smtp starttls: %w", err)
			}
		} else if s.c.RequireTLS {
			return ErrTLSRequired
		}
	}
	if s.c.Username == "" {
		return nil
	}
	if ok, _ := c.Extension("AUTH"); !ok {
		return ErrAuthUnsupported
	}
	if err := c.Auth(smtp.PlainAuth("", s.c.Username, s.c.Password, s.host)); err != nil {
		return fmt.Errorf("notify: smtp auth: %w", err)
	}
	return nil
}

// transmit sends the envelope and the data, then quits. The message
// counts as sent once the server accepted the data.
func transmit(c *smtp.Client, env envelope) error {
	if err := c.Mail(env.from); err != nil {
		return fmt.Errorf("notify: smtp mail from: %w", err)
	}
	if err := c.Rcpt(env.to); err != nil {
		return fmt.Errorf("notify: smtp rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify: smtp data: %w", err)
	}
	if _, err := w.Write(env.data); err != nil {
		w.Close()
		return fmt.Errorf("notify: smtp data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify: smtp data: %w", err)
	}
	// The server accepted the message; a failing QUIT does not undo that.
	_ = c.Quit()
	return nil
}
