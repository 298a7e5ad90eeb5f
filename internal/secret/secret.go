// Package secret holds the one type for a secret in clear that the SDK
// hands to a caller once (a token, an API key, a session secret, a TOTP
// seed). token.Secret, session.Secret and twofactor.Secret are this type,
// so each prints, logs and marshals the same way.
package secret

import (
	"fmt"
	"io"
	"log/slog"
)

// Redacted is what a Secret prints as, whatever the verb or encoder.
const Redacted = "[REDACTED]"

// Secret is a secret in clear. It prints, logs and marshals as Redacted;
// call Reveal for the value itself.
type Secret struct{ v string }

// New returns the Secret holding v.
func New(v string) Secret { return Secret{v} }

// Reveal returns the secret in clear.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String returns Redacted.
func (Secret) String() string { return Redacted }

// GoString returns Redacted, so %#v does not print the secret either.
func (Secret) GoString() string { return Redacted }

// Format writes Redacted for every verb and flag.
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Redacted) }

// LogValue makes log/slog print Redacted.
func (Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalText returns Redacted, so text encoders never write the secret.
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// MarshalJSON returns Redacted as a JSON string, so encoding/json never
// writes the secret.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }
