package web

import (
	"strings"
	"testing"
	"time"
)

// A sealed cookie opens only for its purpose and session, unchanged and
// before it expires, and does not show its content.
func TestSeal(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	w := &Web{key: []byte("0123456789abcdef0123456789abcdef"), now: func() time.Time { return now }}
	in := newSecret{Kind: "token", Name: "ci", Value: "mxp_secret_value"}
	v, err := w.seal(sealNewSecret, "session-a", in, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(v, "mxp_secret_value") || strings.Contains(v, "ci") {
		t.Fatalf("sealed value %q shows its content", v)
	}
	var out newSecret
	if !w.unseal(sealNewSecret, "session-a", v, &out) || out != in {
		t.Fatalf("unseal = %+v, want %+v", out, in)
	}
	tampered := []byte(v)
	tampered[len(tampered)/2] ^= 1
	for name, ok := range map[string]bool{
		"another session": w.unseal(sealNewSecret, "session-b", v, &out),
		"another purpose": w.unseal(sealReplay, "session-a", v, &out),
		"tampered":        w.unseal(sealNewSecret, "session-a", string(tampered), &out),
		"garbage":         w.unseal(sealNewSecret, "session-a", "not base64!", &out),
		"another key": (&Web{key: []byte("fedcba9876543210fedcba9876543210"), now: w.now}).
			unseal(sealNewSecret, "session-a", v, &out),
	} {
		if ok {
			t.Errorf("%s: unseal accepted", name)
		}
	}
	now = now.Add(time.Minute)
	if w.unseal(sealNewSecret, "session-a", v, &out) {
		t.Error("an expired seal opened")
	}
}
