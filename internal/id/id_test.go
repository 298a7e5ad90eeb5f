package id

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	a, err := New(rand.Reader, "prf_")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(rand.Reader, "prf_")
	if a == b {
		t.Fatalf("two ids are equal: %s", a)
	}
	if !strings.HasPrefix(a, "prf_") || len(a) != 4+26 {
		t.Fatalf("got %q, want prf_ + 26 characters", a)
	}
	if _, err := New(bytes.NewReader([]byte{1, 2}), "x"); err == nil {
		t.Fatal("short randomness: got nil error")
	}
}
