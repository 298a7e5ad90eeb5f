package handler

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/notify"
)

// Limits and defaults of the handler.
const (
	// MaxJSONBytes bounds a JSON request body.
	MaxJSONBytes = 1 << 20
	// MaxAvatarBody bounds an avatar upload: profile.MaxAvatarBytes plus
	// slack, so an image just over the limit gets the domain's too_large
	// reason rather than a cut-off read.
	MaxAvatarBody = 5<<20 + 64<<10
	// PublicAvatarMaxAge is how long anyone may cache the avatar of a
	// public profile (Cache-Control max-age); after it, caches revalidate
	// with If-None-Match, so a profile made private stops showing it.
	PublicAvatarMaxAge = 5 * time.Minute
	// CookieName is the name of the session cookie.
	CookieName = "settingsd_session"
	// DeviceCookieName is the name of the device cookie: the device
	// token of the browser's latest sign-in (account.AuthResult.Device),
	// which keeps failed sign-ins from elsewhere from slowing it down.
	DeviceCookieName = "settingsd_device"
	// DeviceCookieMaxAge is how long the device cookie lives: as long as
	// the SDK's device tokens do by default (account.DefaultDeviceTTL).
	DeviceCookieMaxAge = account.DefaultDeviceTTL
	// CSRFHeader carries the anti-CSRF token of cookie-authenticated
	// state-changing requests.
	CSRFHeader = "X-CSRF-Token"
	// RequestIDHeader carries the request ID: taken from the request when
	// well-formed, made otherwise, and sent back in every answer.
	RequestIDHeader = "X-Request-ID"
)

// Default rate limits of the login and code routes.
var (
	DefaultAddressLimit = Limit{Burst: 10, Every: time.Minute}
	DefaultClientLimit  = Limit{Burst: 60, Every: time.Second}
)

// Option configures New.
type Option func(*Handler)

// WithLogger logs one line per request (method, route pattern, status,
// duration) and every unexpected error to l. Bodies, headers, query
// strings and secrets are never logged. The default discards.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// WithDevOutbox serves GET /v1/dev/outbox, the messages of o oldest first:
// the SDK's Settings.Courier (the durable outbox table, so every replica
// shows the same mail) or an in-memory *notify.Outbox.
// Without it the route does not exist. Use it only in development.
func WithDevOutbox(o notify.MailList) Option { return func(h *Handler) { h.outbox = o } }

// WithRateLimits replaces the rate limits of the login and code routes:
// perAddress applies to each email address (or flow), perClient to each
// client IP address.
func WithRateLimits(perAddress, perClient Limit) Option {
	return func(h *Handler) { h.addrLimit, h.clientLimit = perAddress, perClient }
}

// WithLimiter makes the handler take its rate-limit tokens from l, shared
// with another front end of the same server; the default is a Limiter of
// its own.
func WithLimiter(l *Limiter) Option { return func(h *Handler) { h.limiter = l } }

// WithDevSMS serves GET /v1/dev/sms, the text messages of o oldest first;
// give o to usersettings.Options.SMS too. Without it the route does not
// exist. Use it only in development.
func WithDevSMS(o *SMSOutbox) Option { return func(h *Handler) { h.sms = o } }

// WithReadiness makes GET /readyz run check (bounded by ReadinessTimeout)
// and answer 503 {"error":"not_ready"} when it fails, for instance when
// the database is unreachable or its schema is not at the expected
// version. Without it /readyz answers 200 whenever the process serves.
func WithReadiness(check func(ctx context.Context) error) Option {
	return func(h *Handler) { h.ready = check }
}

// WithSecureCookies marks the session cookie Secure even on plain-HTTP
// requests, for a server behind a TLS-terminating proxy. The cookie is
// always Secure on TLS requests.
func WithSecureCookies() Option { return func(h *Handler) { h.secureCookies = true } }

// WithClientIP replaces how the client address used for rate limits is
// found; the default is the host of the request's RemoteAddr. Behind
// proxies, use ClientIPBehind with their addresses.
func WithClientIP(f func(*http.Request) string) Option { return func(h *Handler) { h.clientIP = f } }

// Handler serves the settingsd JSON API over a usersettings.Settings.
type Handler struct {
	s             *usersettings.Settings
	mux           *http.ServeMux
	patterns      []string
	log           *slog.Logger
	outbox        notify.MailList
	sms           *SMSOutbox
	ready         func(ctx context.Context) error
	addrLimit     Limit
	clientLimit   Limit
	limiter       *Limiter
	secureCookies bool
	clientIP      func(*http.Request) string
	now           func() time.Time
}

// New returns the API handler over settings. It panics on nil
// settings, a programming error.
func New(settings *usersettings.Settings, opts ...Option) http.Handler {
	if settings == nil {
		panic("handler: New with nil settings")
	}
	h := &Handler{
		s: settings, mux: http.NewServeMux(), log: slog.New(slog.DiscardHandler),
		addrLimit: DefaultAddressLimit, clientLimit: DefaultClientLimit,
		clientIP: RemoteHost, now: settings.Now,
	}
	if h.now == nil {
		h.now = time.Now
	}
	for _, o := range opts {
		o(h)
	}
	if h.limiter == nil {
		h.limiter = NewLimiter(h.now)
	}
	h.routes()
	return h
}

// ServeHTTP implements http.Handler: the request ID, security headers,
// panic recovery and the access log around the router. A path that no
// route serves answers 404 {"error":"not_found"}; a path served for other
// methods answers 405 {"error":"method_not_allowed"} with Allow.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rid := requestID(r.Header.Get(RequestIDHeader))
	log := h.log.With("request_id", rid)
	r = r.WithContext(context.WithValue(r.Context(), logKey{}, log))
	// Mail to people the SDK does not know yet follows the browser.
	r = r.WithContext(notify.WithLanguage(r.Context(), notify.AcceptLanguage(r.Header.Get("Accept-Language"))))
	rec := NewStatusRecorder(w)
	hd := rec.Header()
	hd.Set(RequestIDHeader, rid)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			log.Error("panic serving request", "route", r.Pattern, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.Wrote() {
				writeError(rec, r, http.StatusInternalServerError, "internal")
			}
		}
		log.Info("request", "method", r.Method, "route", r.Pattern, "status", rec.Status(),
			"duration_ms", float64(time.Since(start).Microseconds())/1000)
	}()
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.unrouted(rec, r)
		return
	}
	h.mux.ServeHTTP(rec, r)
}

// unrouted answers a request that no route serves with the JSON form of
// the router's own answer: 404, or 405 with its Allow header.
func (h *Handler) unrouted(w http.ResponseWriter, r *http.Request) {
	p := &probe{header: http.Header{}}
	h.mux.ServeHTTP(p, r)
	if p.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", p.header.Get("Allow"))
		writeError(w, r, http.StatusMethodNotAllowed, "method_not_allowed")
		return
	}
	writeError(w, r, http.StatusNotFound, "not_found")
}

// probe is a ResponseWriter that keeps the status and headers and drops
// the body.
type probe struct {
	header http.Header
	status int
}

func (p *probe) Header() http.Header { return p.header }

func (p *probe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

func (p *probe) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return len(b), nil
}

// logKey is the context key of the request's logger.
type logKey struct{}

// logger returns the logger of the request, which adds its request ID.
func (h *Handler) logger(r *http.Request) *slog.Logger {
	if l, ok := r.Context().Value(logKey{}).(*slog.Logger); ok {
		return l
	}
	return h.log
}

// requestID returns the incoming ID when it is well-formed: 1 to 128
// characters among letters, digits and "-_.:=+/". Otherwise it makes a
// new one.
func requestID(in string) string {
	if len(in) >= 1 && len(in) <= 128 && strings.Trim(in, requestIDChars) == "" {
		return in
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "req_unknown"
	}
	return "req_" + requestIDEncoding.EncodeToString(b[:])
}

// requestIDEncoding writes the 128 random bits of a request ID in 26
// lower-case characters, as the SDK's own IDs look.
var requestIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

const requestIDChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:=+/"

// StatusRecorder is an http.ResponseWriter that remembers the status
// written, for an access log; the web pages use it too.
type StatusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

// NewStatusRecorder wraps w; the status is 200 until one is written.
func NewStatusRecorder(w http.ResponseWriter) *StatusRecorder {
	return &StatusRecorder{ResponseWriter: w, status: http.StatusOK}
}

// Status returns the status written (200 when none was).
func (s *StatusRecorder) Status() int { return s.status }

// Wrote reports whether a header or body was written.
func (s *StatusRecorder) Wrote() bool { return s.wrote }

// WriteHeader records the first status and writes it.
func (s *StatusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records that the answer started and writes b.
func (s *StatusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// RemoteHost is the default client address of the rate limits: the host
// of the request's RemoteAddr.
func RemoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
