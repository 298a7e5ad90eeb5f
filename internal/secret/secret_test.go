package secret_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/internal/secret"
)

func TestSecretNeverPrints(t *testing.T) {
	const clear = "mxp_do-not-print-me"
	s := secret.New(clear)
	if s.Reveal() != clear || s.IsZero() || !secret.New("").IsZero() {
		t.Fatalf("Reveal/IsZero do not round-trip")
	}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10s"} {
		out = append(out, fmt.Sprintf(verb, s))
	}
	out = append(out, fmt.Sprint(s), s.String(), s.GoString())
	j, err := json.Marshal(struct{ S secret.Secret }{s})
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, string(j))
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "secret", s)
	out = append(out, logged.String())
	for _, o := range out {
		if strings.Contains(o, "do-not-print") || !strings.Contains(o, secret.Redacted) {
			t.Errorf("printed %q", o)
		}
	}
}
